"""Train kg's neural NER (character BiLSTM-CRF) from arrays made by ``ner_lstm_data.py``.

Why a script of its own: it needs PyTorch, which kg does not depend on; the shipped
model is plain numpy weights (``kg/nlp/models/ner_lstm/weights.npz``) and, exported
from them, an ONNX network that :mod:`kg.nlp.ner_lstm` runs on CPU. Deterministic on CPU (fixed seeds, one batch order
per epoch seed); the best epoch on the dev split of kg's silver annotations (``regional``,
every label) is kept, or on MSRA's when the data has no silver, or the last one when the
data holds no dev split at all (``ner_lstm_data.py --final``: then give the epoch count a
dev run chose).

Usage::

    python scripts/ner_lstm_data.py --out /tmp/nn           # kg's venv
    python scripts/train_ner_lstm.py --data /tmp/nn --out kg/nlp/models/ner_lstm   # any venv with torch
    python scripts/export_ner_lstm.py --model kg/nlp/models/ner_lstm              # any venv with onnx
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from kg.nlp.ner_text import LABELS, TAGS, tags_to_spans  # noqa: E402  (numpy and the standard library only: runs beside torch)

LEX_SLOTS = 7  # as kg.nlp.ner_lstm.LEX_SLOTS (that module needs kg's dependencies)
N_CLS = 12


class Tagger(nn.Module):
    def __init__(self, n_chars, n_bigrams, n_lex, n_dom, dc=100, db=50, dl=50, dcls=16, dd=16, hidden=128, dropout=0.3):
        super().__init__()
        self.char = nn.Embedding(n_chars + 2, dc, padding_idx=0)
        self.bigram = nn.Embedding(n_bigrams + 2, db, padding_idx=0)
        self.cls = nn.Embedding(N_CLS, dcls)
        self.lex = nn.Linear(n_lex, dl)
        self.dom = nn.Embedding(n_dom, dd)
        self.lstm = nn.LSTM(dc + 2 * db + dcls + dl + dd, hidden, batch_first=True, bidirectional=True)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(2 * hidden, len(TAGS))
        self.trans = nn.Parameter(torch.zeros(len(TAGS), len(TAGS)))
        self.start = nn.Parameter(torch.zeros(len(TAGS)))
        self.end = nn.Parameter(torch.zeros(len(TAGS)))

    def emissions(self, b):
        x = torch.cat(
            [
                self.char(b["char"]),
                self.bigram(b["bl"]),
                self.bigram(b["br"]),
                self.cls(b["cls"]),
                torch.relu(self.lex(b["lex"])),
                self.dom(b["dom"])[:, None, :].expand(-1, b["char"].shape[1], -1),
            ],
            -1,
        )
        x = self.drop(x)
        packed = nn.utils.rnn.pack_padded_sequence(x, b["len"], batch_first=True, enforce_sorted=False)
        h, _ = self.lstm(packed)
        h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=x.shape[1])
        return self.out(self.drop(h))

    def nll(self, emis, tags, mask, lengths):
        B, T, K = emis.shape
        gold = emis.gather(2, tags[:, :, None]).squeeze(2)
        score = (gold * mask).sum(1) + self.start[tags[:, 0]]
        score = score + (self.trans[tags[:, :-1], tags[:, 1:]] * mask[:, 1:]).sum(1)
        last = tags.gather(1, (lengths - 1)[:, None]).squeeze(1)
        score = score + self.end[last]
        alpha = self.start[None] + emis[:, 0]
        for t in range(1, T):
            nxt = torch.logsumexp(alpha[:, :, None] + self.trans[None] + emis[:, t, None, :], dim=1)
            m = mask[:, t, None] > 0
            alpha = torch.where(m, nxt, alpha)
        logz = torch.logsumexp(alpha + self.end[None], 1)
        return (logz - score).sum()


def viterbi(emis: np.ndarray, n: int, trans, start, end) -> list[int]:
    score = start + emis[0]
    back = []
    for t in range(1, n):
        cand = score[:, None] + trans
        back.append(cand.argmax(0))
        score = cand.max(0) + emis[t]
    best = [int((score + end).argmax())]
    for bp in reversed(back):
        best.append(int(bp[best[-1]]))
    return best[::-1]


def spans(tags) -> set:
    return set(tags_to_spans([TAGS[i] for i in tags]))


class Dataset:
    def __init__(self, z, name, n_lex):
        self.lengths = z[f"{name}.len"]
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)])
        self.cols = {k: z[f"{name}.{k}"] for k in ("char", "bl", "br", "cls", "tag")}
        self.lex_ptr, self.lex_idx = z[f"{name}.lex_ptr"], z[f"{name}.lex_idx"]
        self.dom = z[f"{name}.dom"]
        self.n_lex = n_lex

    def batches(self, max_chars, rng=None):
        order = np.argsort(self.lengths, kind="stable")
        out, cur, cur_max = [], [], 0
        for i in order:
            n = int(self.lengths[i])
            if cur and max(cur_max, n) * (len(cur) + 1) > max_chars:
                out.append(cur)
                cur, cur_max = [], 0
            cur.append(int(i))
            cur_max = max(cur_max, n)
        if cur:
            out.append(cur)
        if rng is not None:
            rng.shuffle(out)
        return out

    def make(self, idx, dom_override=None):
        B, T = len(idx), int(self.lengths[idx].max())
        b = {k: np.zeros((B, T), dtype=np.int64) for k in self.cols}
        lex = np.zeros((B, T, self.n_lex), dtype=np.float32)
        for r, i in enumerate(idx):
            s, e = self.offsets[i], self.offsets[i + 1]
            for k, col in self.cols.items():
                b[k][r, : e - s] = col[s:e]
            for t in range(e - s):
                lex[r, t, self.lex_idx[self.lex_ptr[s + t] : self.lex_ptr[s + t + 1]]] = 1.0
        out = {k: torch.from_numpy(v) for k, v in b.items()}
        out["lex"] = torch.from_numpy(lex)
        out["len"] = torch.from_numpy(self.lengths[idx].astype(np.int64))
        dom = self.dom[idx] if dom_override is None else np.full(B, dom_override)
        out["dom"] = torch.from_numpy(dom.astype(np.int64))
        out["mask"] = (torch.arange(T)[None, :] < out["len"][:, None]).float()
        return out


def evaluate(model, ds, labels, dom=None, agency_as_org=False):
    model.eval()
    trans, start, end = (p.detach().numpy() for p in (model.trans, model.start, model.end))
    tp = fp = fn = 0
    per = {lab: [0, 0, 0] for lab in labels}

    def norm(ss):
        out = set()
        for s, e, lab in ss:
            if agency_as_org and lab == "AGENCY":
                lab = "ORG"
            if lab in labels:
                out.add((s, e, lab))
        return out

    with torch.no_grad():
        for idx in ds.batches(4000):
            b = ds.make(idx, dom)
            emis = model.emissions(b).numpy()
            for r, i in enumerate(idx):
                n = int(ds.lengths[i])
                pred = norm(spans(viterbi(emis[r], n, trans, start, end)))
                s = ds.offsets[i]
                gold = norm(spans(ds.cols["tag"][s : s + n]))
                for sp in pred & gold:
                    per[sp[2]][0] += 1
                for sp in pred - gold:
                    per[sp[2]][1] += 1
                for sp in gold - pred:
                    per[sp[2]][2] += 1
    model.train()

    def f1(t, p, n):
        return 2 * t / (2 * t + p + n) if t else 0.0

    tp, fp, fn = (sum(v[k] for v in per.values()) for k in range(3))
    return f1(tp, fp, fn), {lab: round(f1(*v), 4) for lab, v in per.items()}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--batch-chars", type=int, default=3000)
    ap.add_argument("--hidden", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--max-batches", type=int, default=0, help="per epoch, for timing trials")
    args = ap.parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    t_start = time.perf_counter()
    vocab = json.loads((args.data / "vocab.json").read_text(encoding="utf-8"))
    z = dict(np.load(args.data / "data.npz"))
    n_lex = len(vocab["lex_tags"]) * LEX_SLOTS
    doms = vocab["domains"]
    train = Dataset(z, "train", n_lex)
    dev = {k[4:-4]: Dataset(z, k[:-4], n_lex) for k in z if k.startswith("dev_") and k.endswith(".len")}
    model = Tagger(len(vocab["chars"]), len(vocab["bigrams"]), n_lex, len(doms), hidden=args.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    rng = np.random.default_rng(args.seed)
    best, best_state, history = -1.0, None, []
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        batches = train.batches(args.batch_chars, rng)
        if args.max_batches:
            batches = batches[: args.max_batches]
        total = 0.0
        for g in opt.param_groups:
            g["lr"] = args.lr / (1 + 0.1 * (epoch - 1))
        for k, idx in enumerate(batches):
            b = train.make(idx)
            loss = model.nll(model.emissions(b), b["tag"], b["mask"], b["len"])
            opt.zero_grad()
            (loss / len(idx)).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            total += loss.item()
            if k % 200 == 0:
                elapsed = time.perf_counter() - t0
                print(f"  epoch {epoch} batch {k}/{len(batches)} loss {total / (k + 1):.2f} {elapsed:.0f}s", flush=True)
        if "regional" in dev:
            name, (f1, per) = "regional", evaluate(model, dev["regional"], LABELS, doms.index("regional"))
        elif "msra" in dev:
            name, (f1, per) = "msra", evaluate(model, dev["msra"], ("PERSON", "PLACE", "ORG"), doms.index("msra"), agency_as_org=True)
        else:  # everything trained on (ner_lstm_data.py --final): the last epoch is kept
            name, (f1, per) = "", (float(epoch), {})
        scores = {f"dev_{name}": round(f1, 4), **per} if name else {}
        history.append({"epoch": epoch, "loss": total, **scores, "seconds": round(time.perf_counter() - t0)})
        print(f"epoch {epoch}: loss {total:.0f} dev {name} f1={f1:.4f} {per} ({time.perf_counter() - t0:.0f} s)", flush=True)
        if f1 > best:
            best = f1
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            save(model, vocab, args, history, args.out)
    model.load_state_dict(best_state)
    for name, ds, labels, fmt in (
        ("test_msra", "test_msra", ("PERSON", "PLACE", "ORG"), "msra"),
        ("test_cluener", "test_cluener", LABELS, "cluener"),
    ):
        if f"{ds}.len" in z:
            f1, per = evaluate(model, Dataset(z, ds, n_lex), labels, doms.index(fmt), agency_as_org=fmt == "msra")
            print(f"{name}: f1={f1:.4f} {per}")
    print(f"wall {time.perf_counter() - t_start:.0f} s")


def save(model, vocab, args, history, out: Path):
    out.mkdir(parents=True, exist_ok=True)
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    # matrices in half precision (the tagger computes in float32; F1 unchanged), the CRF layer and biases in full
    weights = {k: v.astype(np.float16 if v.ndim == 2 and k != "trans" else np.float32) for k, v in sd.items()}
    np.savez_compressed(out / "weights.npz", **weights)
    with gzip.open(out / "vocab.json.gz", "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(vocab, fh, ensure_ascii=False)
    shutil.copyfile(args.data / "lexicon.tsv.gz", out / "lexicon.tsv.gz")
    meta = {
        "hidden": args.hidden,
        "tags": list(TAGS),
        "lex_slots": LEX_SLOTS,
        "data": vocab.get("data_params", {}),
        "training": {k: v.name if isinstance(v, Path) else str(v) for k, v in vars(args).items()},
        "history": history,
    }
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
