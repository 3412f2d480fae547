"""The SemEval-2023 Task 3 label sets, with definitions written for spinscope.

Reports and the web page show ``definition`` and ``cue`` next to every
detection, so they are phrased for a reader, not an annotator.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    label: str
    definition: str


@dataclass(frozen=True, slots=True)
class Technique:
    name: str
    label: str
    category: str
    definition: str
    cue: str


@dataclass(frozen=True, slots=True)
class Frame:
    name: str
    label: str
    definition: str


@dataclass(frozen=True, slots=True)
class GenreClass:
    name: str
    definition: str


CATEGORIES: tuple[Category, ...] = (
    Category("attack_on_reputation", "Attack on reputation",
             "Undermines the people behind an argument instead of the argument."),
    Category("justification", "Justification",
             "Supports a claim with something other than evidence for it."),
    Category("simplification", "Simplification",
             "Makes a complex situation look simpler than it is."),
    Category("distraction", "Distraction",
             "Moves attention away from the point under discussion."),
    Category("call", "Call",
             "Urges the reader to act or to stop thinking about the issue."),
    Category("manipulative_wording", "Manipulative wording",
             "Word choice that works on emotion or hides meaning."),
)

_T = Technique
TECHNIQUES: tuple[Technique, ...] = (
    _T("Name_Calling-Labeling", "Name calling / labeling", "attack_on_reputation",
       "Gives a person or group a label meant to make the audience dislike or admire them.",
       "a loaded noun or nickname attached to a target: 'extremists', 'puppets', 'heroes'"),
    _T("Guilt_by_Association", "Guilt by association", "attack_on_reputation",
       "Discredits a target by linking it to someone or something the audience already rejects.",
       "'just like the Nazis did', 'the same ideas as a terrorist group'"),
    _T("Doubt", "Casting doubt", "attack_on_reputation",
       "Questions the credibility or competence of a target without engaging their argument.",
       "'can we really trust ...?', 'so-called experts'"),
    _T("Appeal_to_Hypocrisy", "Appeal to hypocrisy", "attack_on_reputation",
       "Attacks a target for inconsistency between their words and deeds instead of the point itself.",
       "'they preach X but did Y themselves'"),
    _T("Questioning_the_Reputation", "Questioning the reputation", "attack_on_reputation",
       "Smears the character or moral standing of a target, often with unsupported claims.",
       "'a man with a long record of lies', 'disgraced official'"),
    _T("Flag_Waving", "Flag waving", "justification",
       "Justifies a position by appeal to the pride or interests of a nation or group.",
       "'as patriots we must', 'for the sake of our nation'"),
    _T("Appeal_to_Authority", "Appeal to authority", "justification",
       "Treats a claim as true because an authority, often unnamed, said it.",
       "'experts agree', 'sources say', 'according to officials'"),
    _T("Appeal_to_Popularity", "Appeal to popularity", "justification",
       "Treats a claim as true or good because many people support it.",
       "'everyone knows', 'millions already agree'"),
    _T("Appeal_to_Values", "Appeal to values", "justification",
       "Justifies a position by tying it to values the audience holds dear.",
       "'in the name of freedom', 'our traditions demand'"),
    _T("Appeal_to_Fear-Prejudice", "Appeal to fear / prejudice", "justification",
       "Promotes or rejects an idea by raising fear of what will happen or playing on prejudice.",
       "'if we do nothing, disaster will follow'"),
    _T("Causal_Oversimplification", "Causal oversimplification", "simplification",
       "Names a single cause for an outcome that has many.",
       "'the crisis happened because of X alone'"),
    _T("False_Dilemma-No_Choice", "False dilemma / no choice", "simplification",
       "Presents two options as the only ones, or one option as the only one.",
       "'either we do X or Y', 'there is no alternative'"),
    _T("Consequential_Oversimplification", "Consequential oversimplification", "simplification",
       "Claims that a first step will inevitably set off a chain of (usually bad) events.",
       "'if we allow this, next they will ...'"),
    _T("Straw_Man", "Straw man", "distraction",
       "Refutes a distorted version of an opponent's position instead of the real one.",
       "'so they want us to abandon all security'"),
    _T("Red_Herring", "Red herring", "distraction",
       "Introduces an irrelevant topic to draw attention away from the issue.",
       "an abrupt change of subject in an argument"),
    _T("Whataboutism", "Whataboutism", "distraction",
       "Deflects criticism by pointing to the opponent's own (alleged) wrongdoing.",
       "'but what about when they ...?'"),
    _T("Slogans", "Slogans", "call",
       "A short, punchy phrase that replaces argument with a memorable formula.",
       "'take back control', 'no justice, no peace'"),
    _T("Conversation_Killer", "Conversation killer", "call",
       "A phrase that discourages further discussion or critical thought.",
       "'end of story', 'it is what it is', 'there is nothing more to say'"),
    _T("Appeal_to_Time", "Appeal to time", "call",
       "Argues that now is the moment to act, pressing for urgency.",
       "'the time has come', 'before it is too late'"),
    _T("Loaded_Language", "Loaded language", "manipulative_wording",
       "Uses words with strong emotional connotations to influence the reader.",
       "vivid, emotional adjectives and verbs: 'blood-drenched', 'slaughter', 'disastrous'"),
    _T("Obfuscation-Vagueness-Confusion", "Obfuscation / vagueness", "manipulative_wording",
       "Uses deliberately unclear wording so that the audience can read into it what it likes.",
       "'certain circles', 'some steps will be taken'"),
    _T("Exaggeration-Minimisation", "Exaggeration / minimisation", "manipulative_wording",
       "Overstates or downplays something beyond what the facts support.",
       "'the worst ever', 'only a minor incident'"),
    _T("Repetition", "Repetition", "manipulative_wording",
       "Repeats a word, phrase or idea to make it stick.",
       "the same phrase recurring across sentences or paragraphs"),
)

FRAMES: tuple[Frame, ...] = (
    Frame("Economic", "Economic", "Costs, benefits and financial consequences."),
    Frame("Capacity_and_resources", "Capacity and resources",
          "Whether there is enough money, staff, time or material to act."),
    Frame("Morality", "Morality", "Right and wrong, religious or ethical duty."),
    Frame("Fairness_and_equality", "Fairness and equality",
          "Whether people or groups are treated equally and justly."),
    Frame("Legality_Constitutionality_and_jurisprudence", "Legality and jurisprudence",
          "Laws, rights, courts and constitutional limits."),
    Frame("Policy_prescription_and_evaluation", "Policy prescription",
          "Whether a policy will work or what policy should be adopted."),
    Frame("Crime_and_punishment", "Crime and punishment",
          "Law breaking, enforcement, sentences and their effects."),
    Frame("Security_and_defense", "Security and defence",
          "Threats to a country, group or person and protection from them."),
    Frame("Health_and_safety", "Health and safety",
          "Health care, disease, injury and public safety."),
    Frame("Quality_of_life", "Quality of life", "Effects on people's daily lives and wellbeing."),
    Frame("Cultural_identity", "Cultural identity",
          "Traditions, customs and values of a social group."),
    Frame("Public_opinion", "Public opinion", "What the public thinks, polls and protests."),
    Frame("Political", "Political", "Politics as a contest: parties, elections, manoeuvring."),
    Frame("External_regulation_and_reputation", "External reputation",
          "A country's standing and relations abroad, international pressure."),
)

GENRES: tuple[GenreClass, ...] = (
    GenreClass("opinion", "Argues for a view: editorials, columns, op-eds."),
    GenreClass("reporting", "Aims to report events objectively."),
    GenreClass("satire", "Imitates news to mock or criticise."),
)

TECHNIQUE_NAMES: tuple[str, ...] = tuple(t.name for t in TECHNIQUES)
FRAME_NAMES: tuple[str, ...] = tuple(f.name for f in FRAMES)
GENRE_NAMES: tuple[str, ...] = tuple(g.name for g in GENRES)

_BY_NAME = {t.name: t for t in TECHNIQUES}
_CATEGORY_BY_NAME = {c.name: c for c in CATEGORIES}
_FRAME_BY_NAME = {f.name: f for f in FRAMES}

# SemEval-2020 Task 11 merged some classes; each old name maps to every 2023 class it covers.
SEMEVAL2020_TO_2023: dict[str, tuple[str, ...]] = {
    "Appeal_to_Authority": ("Appeal_to_Authority",),
    "Appeal_to_fear-prejudice": ("Appeal_to_Fear-Prejudice",),
    "Bandwagon,Reductio_ad_hitlerum": ("Appeal_to_Popularity", "Guilt_by_Association"),
    "Black-and-White_Fallacy": ("False_Dilemma-No_Choice",),
    "Causal_Oversimplification": ("Causal_Oversimplification",),
    "Doubt": ("Doubt",),
    "Exaggeration,Minimisation": ("Exaggeration-Minimisation",),
    "Flag-Waving": ("Flag_Waving",),
    "Loaded_Language": ("Loaded_Language",),
    "Name_Calling,Labeling": ("Name_Calling-Labeling",),
    "Repetition": ("Repetition",),
    "Slogans": ("Slogans",),
    "Thought-terminating_Cliches": ("Conversation_Killer",),
    "Whataboutism,Straw_Men,Red_Herring": ("Whataboutism", "Straw_Man", "Red_Herring"),
}


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """Everything a client needs to label and explain results."""

    categories: tuple[Category, ...]
    techniques: tuple[Technique, ...]
    frames: tuple[Frame, ...]
    genres: tuple[GenreClass, ...]


TAXONOMY = Taxonomy(CATEGORIES, TECHNIQUES, FRAMES, GENRES)


def technique(name: str) -> Technique:
    """Look up a technique by its official name (KeyError if unknown)."""
    return _BY_NAME[name]


def frame(name: str) -> Frame:
    """The frame with this SemEval name (KeyError for unknown names)."""
    return _FRAME_BY_NAME[name]


def category_of(technique_name: str) -> Category:
    return _CATEGORY_BY_NAME[_BY_NAME[technique_name].category]
