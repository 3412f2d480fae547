"""Print the JSON Schema of ``Analysis``: ``python -m spinscope.schema > schema/analysis.schema.json``."""

import json

from spinscope.types import json_schema

if __name__ == "__main__":
    print(json.dumps(json_schema(), indent=2))
