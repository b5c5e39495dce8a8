#!/usr/bin/env python3
"""Build kg's place gazetteer from the national division tables.

Why a build step: the NBS tables come as four CSVs (2023, province to town) plus
342 JSON files of villages (2021). kg needs one compact, sorted table it can load in
well under a second, with each place's level and parent, and a list of short forms
that are ordinary words and must not be read as places. Both tables are WTFPL/MIT,
so the derived files are committed under kg/data/.

Usage: python scripts/build_gazetteer.py [--data ../shared/data] [--out kg/data]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
from collections import Counter
from pathlib import Path

from kg.gazetteer import short_forms_of  # the same rule the runtime uses

# Placeholder prefecture rows that are not real places: their counties hang
# directly under the province (municipalities, province-administered counties).
PROPER_TAGS = {"ns", "nr", "nz", "nt"}

# Short forms that are everyday words the 1998 corpus is too small to show
# (和顺 "harmonious", 青山/金山 in 绿水青山就是金山银山, 新华 as in 新华社).
EXTRA_GUARDS = {"和顺", "青山", "金山", "新华", "城关", "长安", "平安", "东方", "同心", "惠农", "老城"}

PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

VILLAGE_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("居民委员会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("居委会", "社区"),
)


def village_name(raw: str) -> str | None:
    """Turn a committee name (宋曲村民委员会) into the place name used in text (宋曲村)."""
    name = re.sub(r"[（(].*?[）)]", "", raw).strip()
    for suffix, repl in VILLAGE_SUFFIXES:
        if name.endswith(suffix):
            core = name[: -len(suffix)]
            if core.endswith(repl):
                core = core[: -len(repl)]
            return core + repl if len(core) >= 1 else None
    if name.endswith(("村", "社区", "嘎查")):
        return name
    return None


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build_divisions(src: Path) -> list[tuple[str, str, str, str]]:
    """Rows (code, name, level, parent_code) for provinces, prefectures, counties, towns."""
    rows: list[tuple[str, str, str, str]] = []
    for r in read_csv(src / "provinces.csv"):
        rows.append((r["code"], r["name"], "province", ""))
    real_cities = set()
    for r in read_csv(src / "cities.csv"):
        if r["name"] in PLACEHOLDER_CITIES:
            continue
        real_cities.add(r["code"])
        rows.append((r["code"], r["name"], "city", r["provinceCode"]))
    for r in read_csv(src / "areas.csv"):
        if r["name"] == "市辖区":
            continue
        parent = r["cityCode"] if r["cityCode"] in real_cities else r["provinceCode"]
        # NBS x7xx county codes are statistical units: development zones, new areas
        level = "zone" if r["code"][4] == "7" else "county"
        rows.append((r["code"], r["name"], level, parent))
    for r in read_csv(src / "streets.csv"):
        parent = r["areaCode"]
        name = r["name"]
        if name in ("街道", "镇", "乡", "办事处", "街道办事处"):
            continue  # truncated rows in the source table
        level = "town" if name.endswith(("镇", "乡", "街道", "苏木")) else "zone"
        rows.append((r["code"], name, level, parent))
    rows.sort()
    return rows


def build_villages(src: Path, known_towns: set[str]) -> list[tuple[str, list[str]]]:
    """Per town code, its village names with the 3-digit code suffix (001宋曲村)."""
    by_town: dict[str, list[str]] = {}
    for path in sorted((src / "345").glob("345-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for parent, children in data.items():
            if len(parent) != 9 or parent not in known_towns:
                continue
            for code, raw in sorted(children.items()):
                name = village_name(raw)
                if name and len(code) == 12:
                    by_town.setdefault(parent, []).append(code[9:] + name)
    return sorted(by_town.items())


def short_form_stoplist(pd_path: Path, short_forms: set[str]) -> list[str]:
    """Short forms that People's Daily uses mostly as ordinary words (平安, 东方, 青山).

    Counted per token: tagged as a proper name (ns, nr, nz, nt) versus a common-word
    tag. A short form is stopped when the corpus uses it as a common word at least
    twice and more often than as a name.
    """
    ns: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for line in pd_path.read_text(encoding="utf-8").splitlines():
        for tok in line.split()[1:]:
            word, _, tag = tok.lstrip("[").partition("/")
            tag = tag.split("]")[0]
            if word in short_forms and tag not in PROPER_TAGS:
                other[word] += 1
            elif word in short_forms:
                ns[word] += 1
    return sorted(w for w in short_forms if other[w] >= 2 and other[w] > ns[w])


# Major mountains and rivers of China that a one-month corpus may miss.
MAJOR_FEATURES = set(
    "黄河 长江 汾河 渭河 洛河 淮河 海河 辽河 珠江 闽江 湘江 赣江 汉江 沁河 桑干河 滹沱河 漳河 涑水河 "
    "无定河 延河 泾河 嘉陵江 岷江 乌江 澜沧江 怒江 雅鲁藏布江 松花江 黑龙江 大运河 京杭大运河 钱塘江 "
    "太行山 吕梁山 五台山 恒山 华山 衡山 嵩山 泰山 峨眉山 武夷山 大巴山 六盘山 贺兰山 阴山 祁连山 "
    "燕山 秦岭 大别山 武陵山 乌蒙山 南岭 罗霄山 天目山 雁荡山 长白山 中条山 太岳山 王屋山 崂山 "
    "黄土高原 青藏高原 云贵高原 内蒙古高原 华北平原 东北平原 关中平原 汾河谷地 四川盆地 塔里木盆地 "
    "太湖 洞庭湖 鄱阳湖 巢湖 洪泽湖 青海湖 滇池 渤海 黄海 东海 南海".split()
)

NATURAL_SUFFIXES = ("河", "江", "湖", "山", "山脉", "岭", "峡", "海", "湾", "高原", "盆地", "平原", "草原", "沙漠")


def natural_features(pd_path: Path, division_names: set[str]) -> list[str]:
    """Rivers, mountains and other named features: People's Daily place words (ns)
    ending in a landform word, seen at least twice, that are not divisions."""
    seen: Counter[str] = Counter()
    for line in pd_path.read_text(encoding="utf-8").splitlines():
        for tok in line.split()[1:]:
            word, _, tag = tok.lstrip("[").partition("/")
            if tag.split("]")[0] == "ns" and 2 <= len(word) <= 6 and word.endswith(NATURAL_SUFFIXES):
                seen[word] += 1
    return sorted(w for w, n in seen.items() if n >= 2 and w not in division_names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / ".." / "shared" / "data")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "kg" / "data")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    rows = build_divisions(args.data / "cn_admin_divisions_2023")
    with (args.out / "divisions.tsv").open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write("\t".join(row) + "\n")

    towns = {code for code, _, level, _ in rows if len(code) == 9}
    villages = build_villages(args.data / "cn_admin_villages_2021", towns)
    with gzip.GzipFile(args.out / "villages.tsv.gz", "wb", mtime=0) as gz:
        for town, names in villages:
            gz.write(f"{town}\t{'|'.join(names)}\n".encode())

    shorts = {s for code, name, level, _ in rows if level in ("province", "city", "county") for s in short_forms_of(name, level)}
    stop = short_form_stoplist(args.data / "peoples_daily" / "199801.utf8.txt", shorts)
    stop = sorted(set(stop) | (EXTRA_GUARDS & shorts))
    (args.out / "place_short_stoplist.txt").write_text("\n".join(stop) + "\n", encoding="utf-8")
    names = {name for _, name, _, _ in rows} | shorts
    features = natural_features(args.data / "peoples_daily" / "199801.utf8.txt", names)
    features = sorted(set(features) | MAJOR_FEATURES)
    (args.out / "natural_features.txt").write_text("\n".join(features) + "\n", encoding="utf-8")
    n_vill = sum(len(v) for _, v in villages)
    print(f"divisions: {len(rows)}  villages: {n_vill} in {len(villages)} towns")
    print(f"short forms: {len(shorts)} (stopped {len(stop)})  natural features: {len(features)}")


if __name__ == "__main__":
    main()
