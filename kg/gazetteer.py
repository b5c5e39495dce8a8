"""The administrative map: every division from province to village, with levels and parents.

Why: places are the backbone of this genre. A name found in the national division
table is a place whatever the context; its code fixes which of several same-named
places is meant, gives the PART_OF chain for free, and merges mentions across
documents. The tables are built by scripts/build_gazetteer.py from the NBS codes.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

LEVELS = ("province", "city", "county", "town", "village")

# The 55 minority nationalities as they appear inside autonomous-area names
# (恩施土家族苗族自治州 -> 恩施): stripped to get the short form people write.
ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 "
    "水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各"
).split()
_ETHNIC_RE = re.compile("(?:" + "|".join(sorted(ETHNIC, key=len, reverse=True)) + ")族")
_AUTONOMOUS_RE = re.compile(r"^(.+?)((?:" + _ETHNIC_RE.pattern + r")+)自治(州|县|旗|区)$")

# Suffixes dropped to form a short form, longest first, per level.
_SHORT_SUFFIXES = {
    "province": ("特别行政区", "自治区", "省", "市"),
    "city": ("地区", "自治州", "盟", "市"),
    "county": ("自治县", "自治旗", "林区", "特区", "县", "区", "市", "旗"),
    "town": ("街道", "苏木", "镇", "乡"),
}


# Inner Mongolia's banners named by a wing or a part (科尔沁右翼中旗, 乌拉特前旗, 东乌珠穆沁旗)
_WING_BANNER_RE = re.compile("(.{3,}?)(?:([左右])翼?)?([前中后])?旗")
_SIDE_BANNER_RE = re.compile("([东西])(.{4,})旗")


def _banner_short(name: str) -> str | None:
    """The abbreviation the papers write for a banner named by its wing or part: its first
    letter with the wing and the part (科右中旗, 察右后旗, 土左旗, 乌前旗), or the side
    with the next letter (东乌旗)."""
    if m := _SIDE_BANNER_RE.fullmatch(name):
        return m.group(1) + m.group(2)[0] + "旗"
    m = _WING_BANNER_RE.fullmatch(name)
    if m and (m.group(2) or m.group(3)):
        return m.group(1)[0] + (m.group(2) or "") + (m.group(3) or "") + "旗"
    return None


def short_forms_of(name: str, level: str) -> list[str]:
    """Short forms people write for a division (晋中市 -> 晋中, 恩施土家族苗族自治州 -> 恩施,
    恩施州; 镇沅彝族哈尼族拉祜族自治县 -> 镇沅, 镇沅县; 科尔沁右翼中旗 -> 科右中旗).

    Only forms of two characters or more: 夏县 has none, since 夏 alone is a word.
    """
    banner = _banner_short(name) if level == "county" else None
    if banner is not None:
        return [banner]
    m = _AUTONOMOUS_RE.match(name)
    if m and len(m.group(1)) >= 2 and m.group(3) in "州县旗":
        # an autonomous prefecture, county or banner is written by its core and its kind (德宏州)
        return [m.group(1), m.group(1) + m.group(3)]
    if m:
        core = m.group(1)
    else:
        core = name
        if level == "province" and name.endswith("自治区"):
            core = _ETHNIC_RE.sub("", name[:-3])
            # 新疆维吾尔自治区 writes its people without 族
            core = next((core[: -len(e)] for e in ETHNIC if core.endswith(e) and len(core) > len(e) + 1), core)
        else:
            for suffix in _SHORT_SUFFIXES.get(level, ()):
                if name.endswith(suffix) and len(name) > len(suffix):
                    core = name[: -len(suffix)]
                    break
    if core.endswith("族") and core != name:
        core = core[:-1]  # 东乡族自治县 -> 东乡
    return [core] if core != name and len(core) >= 2 else []


@dataclass(frozen=True)
class Division:
    """One division: NBS code (2/4/6/9/12 digits), official name, level, parent code."""

    code: str
    name: str
    level: str
    parent: str


# units the table names by a level letter and a zone word alone (320921400 县开发区):
# in text that is any county's zone (县开发区 = the county the article means), not that one
LETTER_ZONE_RE = re.compile("[省市县区旗](?:经济技术开发区|经济开发区|开发区|工业园区|工业园|高新区|产业园区|工业集中区|产业集聚区)")


class Gazetteer:
    """Lookup of divisions by code, by full name and by short form."""

    def __init__(self, divisions: list[Division], short_stoplist: set[str]) -> None:
        self.by_code: dict[str, Division] = {d.code: d for d in divisions}
        self._town_short: dict[str, list[Division]] | None = None  # town_short_forms(), once made
        self.by_name: dict[str, list[Division]] = {}
        self.by_short: dict[str, list[Division]] = {}
        # short forms that are everyday words (大关, 和顺): a place only where the tagger reads one
        self.by_word_short: dict[str, list[Division]] = {}
        for d in divisions:
            if not LETTER_ZONE_RE.fullmatch(d.name):
                self.by_name.setdefault(d.name, []).append(d)
        for d in divisions:
            if d.level not in ("province", "city", "county"):
                continue  # town short forms are ordinary words (发展乡 -> 发展)
            for s in short_forms_of(d.name, d.level):
                if s in self.by_name:
                    continue
                (self.by_word_short if s in short_stoplist else self.by_short).setdefault(s, []).append(d)
        self._towns_by_county: dict[str, list[str]] = {}
        for d in divisions:
            if len(d.code) == 9:
                self._towns_by_county.setdefault(d.code[:6], []).append(d.code)

    def get(self, code: str) -> Division | None:
        """The division with this code, villages included."""
        d = self.by_code.get(code)
        if d is None and len(code) == 12:
            d = next((v for v in self.villages_of_town(code[:9]) if v.code == code), None)
        return d

    def parent(self, d: Division) -> Division | None:
        return self.by_code.get(d.parent) if d.parent else None

    def ancestors(self, d: Division) -> list[Division]:
        """Parent, grandparent, … up to the province."""
        out = []
        p = self.parent(d)
        while p is not None:
            out.append(p)
            p = self.parent(p)
        return out

    def sub_county_prefix(self, d: Division | None) -> str:
        """What a town's or village's own name is prefixed with in a body's name, as the guide
        names sub-county bodies: the county (兴县|高家村镇人民政府), for a village the county
        and the town (南城县天井源乡|河垅村党支部); nothing above a town or where the table
        lacks a level."""
        if d is None or d.level not in ("town", "village"):
            return ""
        above = [a for a in self.ancestors(d) if a.level in ("county", "town")]
        return "".join(a.name for a in reversed(above)) if len(above) == (2 if d.level == "village" else 1) else ""

    def is_under(self, d: Division, ancestor_code: str) -> bool:
        return d.code != ancestor_code and d.code.startswith(ancestor_code) and any(a.code == ancestor_code for a in self.ancestors(d))

    def villages_of_town(self, town: str) -> tuple[Division, ...]:
        """The villages and communities of one town (from the 2021 village codes).

        Kept for the towns asked about most recently: an archive names the same
        counties article after article, and each costs a few hundred objects."""
        return _villages_of_town(town)

    def villages_under(self, codes: set[str]) -> dict[str, list[Division]]:
        """Village name -> villages, for the villages under any of `codes` (county level or below).

        Read per town on demand: the article names a handful of places, and the
        whole table (600k villages) would cost seconds to index.
        """
        towns: set[str] = set()
        for code in codes:
            if len(code) == 6:
                towns.update(self._towns_by_county.get(code, ()))
            elif len(code) == 9:
                towns.add(code)
        out: dict[str, list[Division]] = {}
        for town in sorted(towns):
            for v in self.villages_of_town(town):
                out.setdefault(v.name, []).append(v)
        return out

    def town_short_forms(self) -> dict[str, list[Division]]:
        """Town short forms (义棠镇 -> 义棠): only safe once the full name is in the text.

        Made once, at the first call (42,000 towns: a fifth of a second); read only."""
        if self._town_short is None:
            self._town_short = {}
            for d in self.by_code.values():
                if d.level == "town":
                    for s in short_forms_of(d.name, "town"):
                        self._town_short.setdefault(s, []).append(d)
        return self._town_short


@cache
def _village_lines() -> dict[str, str]:
    """Town code -> its raw village list ("001宋曲村|002…"), parsed only when asked."""
    with gzip.open(DATA_DIR / "villages.tsv.gz", "rt", encoding="utf-8") as f:
        return dict(line.rstrip("\n").split("\t", 1) for line in f)


@lru_cache(maxsize=1024)
def _villages_of_town(town: str) -> tuple[Division, ...]:
    line = _village_lines().get(town, "")
    return tuple(Division(town + item[:3], item[3:], "village", town) for item in line.split("|") if item)


@cache
def load_gazetteer() -> Gazetteer:
    """The packaged gazetteer (cached: loading takes a fraction of a second)."""
    divisions = []
    with open(DATA_DIR / "divisions.tsv", encoding="utf-8") as f:
        for line in f:
            code, name, level, parent = line.rstrip("\n").split("\t")
            divisions.append(Division(code, name, level, parent))
    stop_path = DATA_DIR / "place_short_stoplist.txt"
    stop = set(stop_path.read_text(encoding="utf-8").split()) if stop_path.exists() else set()
    return Gazetteer(divisions, stop)
