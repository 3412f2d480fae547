"""Export the fine-tuned encoder and its two token-level heads to int8 ONNX.

The graph takes ``input_ids`` and ``attention_mask`` and returns the paragraph
logits, the per-token span logits and the mean-pooled paragraph vector (which
the article-level genre and frame heads read), so one forward pass serves all
heads. Weights are quantised to int8 with ONNX Runtime's dynamic quantiser.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

OUTPUTS = ("paragraph_logits", "span_logits", "pooled")


def export_onnx(model, path: Path, opset: int = 17) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = model.float().cpu().eval()  # trained on CUDA in bf16 autocast, exported on the CPU in fp32
    ids = torch.tensor([[0, 100, 200, 2], [0, 300, 2, 1]], dtype=torch.long)
    mask = (ids != 1).long()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model-fp32.onnx"
        torch.onnx.export(
            model, (ids, mask), str(fp32),
            input_names=["input_ids", "attention_mask"], output_names=list(OUTPUTS),
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                "paragraph_logits": {0: "batch"}, "span_logits": {0: "batch", 1: "tokens"}, "pooled": {0: "batch"},
            },
            opset_version=opset, dynamo=False,
        )
        quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gather"])
