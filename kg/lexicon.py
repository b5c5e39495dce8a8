"""Word lists of the genre: government departments, posts, surnames, cue words.

Why a lexicon and not the seeds' names: these are closed classes of the language of
Chinese local government. Every county has a 农业农村局 and a 县委宣传部, every
official is a 局长 or a 副主任, and the abbreviations (发改委, 住建局) are
standard. Rules built on them carry over to any province.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def common_words() -> frozenset[str]:
    """Words People's Daily uses mostly as ordinary words (scripts/build_common_words.py)."""
    return frozenset((Path(__file__).parent / "data" / "common_words.txt").read_text(encoding="utf-8").split())


@cache
def national_slogans() -> frozenset[str]:
    """National slogans the silver data marks optional (scripts/build_national_slogans.py)."""
    lines = (Path(__file__).parent / "data" / "national_slogans.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one whitespace-separated string (easy to read and edit)."""
    return tuple(text.split())


# Standard department names (as in 机构改革 lists) -> abbreviations people write.
# The first element of each entry is the canonical full name.
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "发展和改革委员会": ("发展改革委员会", "发展改革委", "发改委"),
    "发展和改革局": ("发展改革局", "发改局"),
    "住房和城乡建设局": ("住房城乡建设局", "住建局"),
    "住房和城乡建设管理局": ("住建管理局",),
    "住房和城乡建设委员会": ("住房城乡建设委员会", "住建委"),
    "农业农村局": ("农业局",),
    "农业农村和水利局": (),
    "农业农村委员会": ("农委",),
    "教育局": (),
    "教育和体育局": ("教体局",),
    "公安局": (),
    "财政局": (),
    "人力资源和社会保障局": ("人力资源社会保障局", "人社局"),
    "自然资源局": (),
    "自然资源和规划局": ("自然资源规划局",),
    "规划和自然资源局": (),
    "生态环境局": ("环保局",),
    "生态环境分局": (),
    "交通运输局": ("交通局",),
    "水利局": (),
    "水务局": (),
    "商务局": (),
    "文化和旅游局": ("文化旅游局", "文旅局"),
    "卫生健康委员会": ("卫生健康委", "卫健委"),
    "卫生健康局": ("卫健局",),
    "退役军人事务局": ("退役军人局",),
    "应急管理局": ("应急局",),
    "审计局": (),
    "市场监督管理局": ("市场监管局",),
    "统计局": (),
    "医疗保障局": ("医保局",),
    "城市管理局": ("城管局", "城市管理和综合执法局", "城市管理综合行政执法局"),
    "行政审批服务管理局": ("行政审批局", "审批局"),
    "能源局": (),
    "工业和信息化局": ("工业和信息化局", "工信局"),
    "科学技术局": ("科技局",),
    "民政局": (),
    "司法局": (),
    "国有资产监督管理委员会": ("国资委",),
    "林业局": (),
    "林业和草原局": ("林草局",),
    "体育局": (),
    "乡村振兴局": (),
    "信访局": (),
    "税务局": (),
    "政务服务管理局": ("政务服务局",),
    "数据局": (),
    "大数据中心": (),
    "融媒体中心": (),
    "气象局": (),
    "粮食和物资储备局": ("粮食局",),
    "招商局": (),
    "投资促进局": (),
    "房产管理局": ("房管局",),
    "规划局": (),
    "地震局": (),
    "档案局": (),
    "人民防空办公室": ("人防办",),
    "机关事务管理局": ("机关事务局",),
    "供销合作社联合社": ("供销社",),
    "总工会": (),
    "妇女联合会": ("妇联",),
    "科学技术协会": ("科协",),
    "残疾人联合会": ("残联",),
    "工商业联合会": ("工商联",),
    "红十字会": (),
    # provincial departments (厅)
    "住房和城乡建设厅": ("住房城乡建设厅", "住建厅"),
    "教育厅": (),
    "公安厅": (),
    "财政厅": (),
    "自然资源厅": (),
    "生态环境厅": (),
    "交通运输厅": ("交通厅",),
    "水利厅": (),
    "农业农村厅": ("农业厅",),
    "商务厅": (),
    "文化和旅游厅": ("文化旅游厅", "文旅厅"),
    "人力资源和社会保障厅": ("人力资源社会保障厅", "人社厅"),
    "民政厅": (),
    "司法厅": (),
    "审计厅": (),
    "应急管理厅": ("应急厅",),
    "工业和信息化厅": ("工信厅",),
    "科学技术厅": ("科技厅",),
    "退役军人事务厅": (),
    # the people's governments and their offices
    "人民政府": ("政府",),
    "人民政府办公室": ("政府办公室", "政府办"),
    "人民法院": ("法院",),
    "人民检察院": ("检察院",),
    "人大常委会": ("人民代表大会常务委员会", "人大"),
    "政协": ("政治协商会议",),
    # party organs (prefix + 委 forms are handled in the agency rules)
    "纪委监委": ("纪律检查委员会", "纪委"),
    "监察委员会": ("监委",),
    "委组织部": ("组织部",),
    "委宣传部": ("宣传部",),
    "委统战部": ("统战部",),
    "委政法委": ("政法委",),
    "委巡察办": ("巡察办",),
    "委全面深化改革委员会办公室": ("委改革办", "委深改办", "改革办", "深改办"),
    "委机构编制委员会办公室": ("编办", "委编办"),
    "委网络安全和信息化委员会办公室": ("网信办", "委网信办"),
    "委政策研究室": ("政研室", "委政研室"),
    "委农村工作领导小组办公室": ("农办", "委农办"),
    "委党校": ("党校",),
    "委办公室": ("委办",),
    "委社会工作部": ("社会工作部", "社工部"),
}

# Party organs that live inside a jurisdiction's committee: 县 + 委组织部 -> 县委组织部.
# They take the jurisdiction without doubling its suffix (万荣县委组织部).

# National ministries and central bodies: canonical name -> abbreviations.
NATIONAL_BODIES: dict[str, tuple[str, ...]] = {
    "中共中央": ("党中央", "中国共产党中央委员会"),
    "国务院": ("中华人民共和国国务院",),
    "全国人民代表大会常务委员会": ("全国人大常委会",),
    "中国人民政治协商会议全国委员会": ("全国政协",),
    "国家发展和改革委员会": ("国家发展改革委", "国家发改委"),
    "住房和城乡建设部": ("住房城乡建设部", "住建部"),
    "农业农村部": ("农业部",),
    "自然资源部": (),
    "生态环境部": ("环保部", "环境保护部"),
    "交通运输部": ("交通部",),
    "水利部": (),
    "商务部": (),
    "财政部": (),
    "教育部": (),
    "科学技术部": ("科技部",),
    "工业和信息化部": ("工信部",),
    "人力资源和社会保障部": ("人力资源社会保障部", "人社部"),
    "民政部": (),
    "司法部": (),
    "公安部": (),
    "文化和旅游部": ("文旅部", "文化旅游部"),
    "国家卫生健康委员会": ("国家卫生健康委", "国家卫健委"),
    "应急管理部": ("应急部",),
    "退役军人事务部": (),
    "审计署": (),
    "国家统计局": (),
    "国家市场监督管理总局": ("市场监管总局",),
    "国家乡村振兴局": (),
    "国家能源局": (),
    "国家林业和草原局": ("国家林草局",),
    "国家税务总局": (),
    "中央农村工作领导小组": (),
    "中央纪委国家监委": ("中央纪委", "国家监委"),
    "中共中央组织部": ("中组部",),
    "中共中央宣传部": ("中宣部",),
}

# Posts, longest first in use. Titles that belong to a body named before them
# (局长 of a 局) and titles that imply a body of their own (镇长 -> 镇人民政府).
TITLES: tuple[str, ...] = _words(
    "党组书记 党组副书记 党组成员 党委书记 党委副书记 党委委员 党工委书记 党工委副书记 党支部书记 党总支书记 "
    "支部书记 村党支部书记 纪委书记 纪检组长 第一书记 副书记 书记 常务副县长 常务副市长 副县长 县长 副市长 市长 "
    "副区长 区长 副镇长 镇长 副乡长 乡长 副省长 省长 "
    "常务副州长 副州长 州长 副盟长 盟长 常务副旗长 副旗长 旗长 常委 总书记 副主席 主席 副主任 主任 副局长 局长 副部长 "
    "部长 副厅长 厅长 副处长 处长 副科长 科长 副股长 股长 副所长 所长 副站长 站长 副院长 院长 副校长 校长 "
    "副总经理 总经理 董事长 副董事长 董事 经理 副经理 总监 理事长 秘书长 副秘书长 社长 副社长 队长 副队长 "
    "村委会主任 村主任 村支书 村长 组长 副组长 调研员 负责人 总工程师 主任科员 委员 政协委员 人大代表 代表 会长 "
    "副会长 馆长 行长 检察长 副检察长 总裁 创始人 老师 教授 研究员 医生 专家"
)

# Words that introduce a person without a post: residents, farmers, bylines.
PERSON_ROLES: tuple[str, ...] = _words(
    "市民 村民 居民 农民 种粮大户 大户 农户 游客 网友 志愿者 党员 职工 工人 员工 学生 创业者 企业家 负责人 "
    "致富带头人 返乡青年 退休教师 老党员 社员 技术员 网格员"
)

# Byline cues: 记者 李娟, 摄影：程婧, 通讯员 X, 本版策划：X, 文/图 X.
BYLINE_CUES: tuple[str, ...] = _words(
    "本报记者 记者 通讯员 摄影 摄 文/图 文／图 图/文 本版策划 本版统筹 本版摄影 本版编辑 责任编辑 编辑 校对 审核 策划 统筹 作者"
)

# Verbs of saying and thinking that follow a name: 马志伟说, 韩亮表示.
SPEECH_VERBS: tuple[str, ...] = _words(
    "表示 说道 说 认为 介绍 指出 谈到 谈及 坦言 告诉 强调 感慨 建议 提出 透露 笑着说 看来 称 讲 解释 补充"
)

# The hundred-odd surnames that cover nearly all Han names, plus compound ones.
SURNAMES_2: tuple[str, ...] = _words(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 令狐 宇文 司徒 夏侯 轩辕 端木 独孤 南宫 西门 百里 呼延 万俟"
)
SURNAMES_1: str = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米杭揭仇栾鞠车渠"
    "郎胥邸钮茅隋荆池劳巩仲闵储粟候麻权佘宗应邬阎桂戈习旷逯寇晋鄢门郁哈索冀宿卞边湛厉谌"
)

# Characters that cannot end a given name (they are the verb or particle that follows).
NAME_STOP_CHARS: str = "摄给总该族们出的了在是和与及等说表示认为将也都就又对把被从向以为于、，。：；！？“”‘’（）《》"

# Suffixes of organisation names (companies, cooperatives, hospitals, schools).
ORG_SUFFIXES: tuple[str, ...] = _words(
    "股份有限公司 有限责任公司 有限公司 集团有限公司 集团公司 集团 公司 专业合作社 合作社 联合社 医院 卫生院 "
    "中心小学 小学 中学 大学 学院 学校 幼儿园 购物广场 银行 农村商业银行 信用社 研究院 研究所 协会 商会 基金会 "
    "敬老院 养老院 志愿服务队 志愿者协会 酒店 宾馆 超市 家庭农场 农场 工厂 铝业 煤业 电力 钢铁 "
    "能源 传媒 报社 电视台"
)

# Suffixes of project names: works being built, renovated or run.
PROJECT_SUFFIXES: tuple[str, ...] = _words(
    "项目 工程 改造 提标改造 新建 扩建 扩容 改扩建 基地 示范基地 生产基地 平台 安置点 安置区 管廊 地下管廊 "
    "污水厂 污水处理厂 联络线 高速公路 高速 铁路 大桥 停车场 交易中心 产业园 物流园 "
    "路网 水库 电站 光伏电站 综合体"
)

# Verbs that lead into a project phrase and are not part of its name.
LEADING_VERBS: tuple[str, ...] = _words(
    "加快推进 加快推动 重点推动 全力推进 大力推进 积极推进 持续推进 加快建设 全面完成 启动 推进 推动 加快 实施 "
    "建设 打造 完成 开工 建成 落实 谋划 争取 抓好 做好 围绕 依托 包括 如 比如 开展 聚焦 全力 重点 积极 "
    "持续 全面 深入 着力 继续 力争 确保 巩固拓展 巩固 拓展 深化 纵深推进 发挥 督促 督导 成立 指导 创建 用好 "
    "设立 编制 科学编制 强化 采取 参观 稳妥推进 稳步推进 有序推进 扎实推进 加快实施 做大做强"
    " 随着 为了 根据 关于 对于 各类 本报讯 召开 举行"
)

# Characters that end the leftward scan for a name (function words, punctuation).
LEFT_STOP_CHARS: str = "好，。、；：！？“”‘’《》（）()「」 \n在把将向从对与和及或由被让使为是的了着过也都还又就并且而等"

# Words after a quoted phrase that mark it as a named programme or strategy.
POLICY_CUES: tuple[str, ...] = _words(
    "工程 行动 经验 战略 战略举措 举措 机制 计划 规划 试点 理念 格局 工作法 目标 路径 思路 原则 方针 政策 "
    "活动 攻坚 三年行动 专项行动 发展思路"
)

# Unquoted programme names ending in these words are policies (农产品精深加工行动).
POLICY_SUFFIXES: tuple[str, ...] = _words("专项行动 专项整治 行动计划 行动 试点 总体规划 规划 改革 基金 工程 战略 一体化")

CN_NUMERALS: str = "一二三四五六七八九十百千万两双零〇半"
