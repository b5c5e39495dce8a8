"""Write the recurrent network of kg's BiLSTM-CRF as ONNX (``network.onnx``) for onnxruntime.

Why: stepping an LSTM in numpy costs a dozen small array calls per character
position; onnxruntime's LSTM kernel runs the whole sequence in compiled code and
tags the People's Daily archive's unsure sentences in about half the time.
``train_ner_lstm.py`` writes the trained parameters (``weights.npz``); this script
turns the recurrent part and the output layer into one ONNX graph:

* inputs: ``X`` (T x N x D, time first: the character, bigram, class and
  dictionary inputs of N pieces, zero past each piece's end), ``lens`` (N, int32)
  and ``domain`` (int64 scalar, the corpus style's index);
* output: ``E`` (N x T x K), the emission scores of the K BIOES tags.

The domain embedding's share of the input is a constant per domain, so it is folded
into the LSTM biases, one row per domain. PyTorch orders the gates i f g o, ONNX
i o f c. Needs the ``onnx`` package (``pip install onnx``), not needed to run kg.

Usage::

    python scripts/export_ner_lstm.py [--model kg/nlp/models/ner_lstm]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO_ROOT = Path(__file__).resolve().parents[1]
#: Opset of the exported graph (LSTM with sequence_lens, as onnxruntime runs it).
OPSET = 17


def _onnx_gates(a: np.ndarray) -> np.ndarray:
    """Rows of PyTorch's gate blocks (i f g o) in ONNX's order (i o f c)."""
    i, f, g, o = np.split(a, 4, axis=0)
    return np.concatenate([i, o, f, g], axis=0)


def network(weights: dict[str, np.ndarray]) -> onnx.ModelProto:
    """The ONNX graph of the BiLSTM and its output layer, from ``weights.npz``'s arrays."""
    w = {k: v.astype(np.float32) for k, v in weights.items()}
    hidden = w["lstm.weight_hh_l0"].shape[1]
    n_dom = w["dom.weight"].shape[1]
    size = w["lstm.weight_ih_l0"].shape[1] - n_dom  # the domain embedding comes last
    dirs = ("l0", "l0_reverse")
    W = np.stack([_onnx_gates(w[f"lstm.weight_ih_{d}"][:, :size]) for d in dirs])
    R = np.stack([_onnx_gates(w[f"lstm.weight_hh_{d}"]) for d in dirs])

    def biases(d: str, dom: np.ndarray) -> np.ndarray:
        """ONNX's input and recurrent biases of direction ``d`` in domain ``dom`` (their sum is what counts)."""
        summed = w[f"lstm.bias_ih_{d}"] + w[f"lstm.bias_hh_{d}"] + w[f"lstm.weight_ih_{d}"][:, size:] @ dom
        return np.concatenate([_onnx_gates(summed), np.zeros(4 * hidden, dtype=np.float32)])

    bias = np.stack([np.stack([biases(d, dom) for d in dirs]) for dom in w["dom.weight"]])  # domains x 2 x 8H
    n_tags = w["out.bias"].shape[0]
    nodes = [
        helper.make_node("Gather", ["bias", "domain"], ["B"], axis=0),
        helper.make_node("LSTM", ["X", "W", "R", "B", "lens"], ["Y"], hidden_size=hidden, direction="bidirectional"),
        helper.make_node("Transpose", ["Y"], ["Y_ntdh"], perm=[2, 0, 1, 3]),
        helper.make_node("Reshape", ["Y_ntdh", "shape"], ["Y_nth"]),
        helper.make_node("MatMul", ["Y_nth", "out_w"], ["scores"]),
        helper.make_node("Add", ["scores", "out_b"], ["E"]),
    ]
    initializers = {
        "W": W,
        "R": R,
        "bias": bias,
        "shape": np.asarray([0, 0, 2 * hidden], dtype=np.int64),
        "out_w": w["out.weight"].T.copy(),
        "out_b": w["out.bias"],
    }
    graph = helper.make_graph(
        nodes,
        "kg_ner_bilstm",
        [
            helper.make_tensor_value_info("X", TensorProto.FLOAT, ["T", "N", size]),
            helper.make_tensor_value_info("lens", TensorProto.INT32, ["N"]),
            helper.make_tensor_value_info("domain", TensorProto.INT64, []),
        ],
        [helper.make_tensor_value_info("E", TensorProto.FLOAT, ["N", "T", n_tags])],
        initializer=[numpy_helper.from_array(v, k) for k, v in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="kg")
    model.ir_version = 8  # what onnxruntime 1.16 and later read
    onnx.checker.check_model(model)
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=REPO_ROOT / "kg" / "nlp" / "models" / "ner_lstm")
    args = parser.parse_args(argv)
    with np.load(args.model / "weights.npz") as z:
        model = network({k: z[k] for k in z.files})
    out = args.model / "network.onnx"
    out.write_bytes(model.SerializeToString())
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
