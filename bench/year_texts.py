"""What the bench year's work orders are about: the categories of each line with their
shares (water and power swell in summer, heating only in winter), the fictional
district's places (the demo's towns, streets and estates), the unit each matter goes to,
and the order and reply texts — enough variety for the hot-topic analysis to find
places and recurring words.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from tickets.categories import DEFAULT_CATEGORIES

# (category code, share) of each line's orders
CATEGORY_SHARES: dict[str, tuple[tuple[str, float], ...]] = {
    "12345": (
        ("emergency", 0.02),
        ("utilities.water", 0.07),
        ("utilities.power", 0.05),
        ("utilities.gas", 0.03),
        ("utilities.heating", 0.03),
        ("consultation", 0.31),
        ("complaint", 0.24),
        ("suggestion", 0.06),
        ("help", 0.19),
    ),
    "962121": (
        ("property_repair.water_electric", 0.22),
        ("property_repair.common_facilities", 0.14),
        ("property_repair.lift", 0.10),
        ("property_repair.roof_leak", 0.08),
        ("policy_consultation", 0.24),
        ("service_complaint", 0.19),
        ("major_incident", 0.03),
    ),
}
# matters answered on the spot (直办) more often than not
ANSWERABLE = frozenset({"consultation", "policy_consultation"})


@dataclass(frozen=True, slots=True)
class Area:
    name: str  # 镇 / 街道, as written in addresses
    unit: str  # the town or street office (承办单位)
    roads: tuple[str, ...]
    estate: str  # the housing estate of the area
    property_unit: str  # the estate's property company


AREAS = (
    Area("梅陇镇", "town.meilong", ("莲花路", "虹梅南路", "梅陇路"), "锦梅苑", "property.jinxiu"),
    Area(
        "古美路街道", "street.gumei", ("古美路", "平阳路", "顾戴路"), "梅园新村", "property.jinxiu"
    ),
    Area("莘庄镇", "town.xinzhuang", ("莘松路", "莘建路", "沁春路"), "莘闵花苑", "property.heshun"),
    Area(
        "江川路街道",
        "street.jiangchuan",
        ("江川路", "沧源路", "华宁路"),
        "春晖家园",
        "property.heshun",
    ),
)
UNIT_OF_CATEGORY = {
    "utilities.water": "utility.water",
    "utilities.gas": "utility.gas",
    "utilities.power": "utility.power",
    "policy_consultation": "department.housing",
    "service_complaint": "department.housing",
    "major_incident": "department.housing",
}
ALL_UNITS = (
    *(area.unit for area in AREAS),
    "utility.water",
    "utility.gas",
    "utility.power",
    "property.jinxiu",
    "property.heshun",
    "department.housing",
)

_MATTERS: dict[str, tuple[str, ...]] = {
    "emergency": (
        "燃气泄漏气味很重，请求马上处置",
        "高空坠物砸伤路人，现场有人受伤",
        "河道有人落水",
    ),
    "utilities.water": (
        "停水已经两天，自来水管道破裂",
        "自来水浑浊发黄，水压很低",
        "路面水管爆裂积水",
    ),
    "utilities.power": ("整栋楼停电，冰箱食物变质", "电压不稳家电烧坏", "路灯不亮夜间出行危险"),
    "utilities.gas": ("燃气表走字异常，燃气费突然翻倍", "燃气灶打不着火，怀疑管道堵塞"),
    "utilities.heating": ("暖气不热室温很低", "暖气管道漏水"),
    "consultation": (
        "咨询社保卡补办流程",
        "咨询居住证办理材料",
        "咨询新生儿落户手续",
        "咨询公积金提取条件",
    ),
    "complaint": ("夜间施工噪音扰民", "餐饮油烟扰民", "占道经营堵塞通道", "违章搭建影响采光"),
    "suggestion": ("建议增设公交站点", "建议小区门口加装红绿灯", "建议增加垃圾分类投放点"),
    "help": ("独居老人家中无人应答，请求上门查看", "走失老人请求协助寻找", "流浪犬伤人请求处置"),
    "property_repair.water_electric": (
        "楼道灯坏了一个月没人修",
        "家中水管漏水影响楼下",
        "公共水泵故障停水",
    ),
    "property_repair.common_facilities": ("小区门禁损坏", "单元门锁坏了", "小区道路破损积水"),
    "property_repair.lift": ("电梯经常停运困人", "电梯异响运行不稳", "电梯按钮失灵"),
    "property_repair.roof_leak": ("顶楼屋面渗漏墙面发霉", "雨天屋顶漏水", "外墙渗水"),
    "policy_consultation": ("咨询维修基金使用流程", "咨询业委会选举规定", "咨询物业费收费标准"),
    "service_complaint": ("物业不作为垃圾清运不及时", "物业乱收停车费", "保安态度恶劣"),
    "major_incident": ("小区地下车库进水", "外墙脱落砸坏车辆", "消防通道被堵"),
}
_RESULTS = ("已派员上门处置完毕", "已修复并恢复正常", "已约谈当事方并整改", "已答复市民相关政策")
_PERSONS = ("维修人员", "社区工作人员", "执法队员", "物业经理")
NOT_COUNTED_NOTES = {
    "same_person_same_complaint": "同一来电人同一诉求已有工单在办",
    "litigation": "当事双方已进入诉讼程序",
    "against_policy": "诉求不符合现行政策规定",
    "unreasonable": "诉求超出合理范围，已解释说明",
}


@dataclass(frozen=True, slots=True)
class Matter:
    category: str
    urgent: bool
    address: str
    area: Area
    content: str


def category_of(rng: random.Random, line: str, day: date) -> str:
    codes, cumulative = _cumulative_shares(line, day.month)
    return rng.choices(codes, cum_weights=cumulative)[0]


@functools.cache
def _cumulative_shares(line: str, month: int) -> tuple[tuple[str, ...], tuple[float, ...]]:
    shares = CATEGORY_SHARES[line]
    weights = accumulate(_seasonal(code, share, month) for code, share in shares)
    return tuple(code for code, _ in shares), tuple(weights)


def _seasonal(code: str, share: float, month: int) -> float:
    if code == "utilities.heating":
        return share if month in (11, 12, 1, 2, 3) else 0.0
    if code in ("utilities.water", "utilities.power") and 6 <= month <= 9:
        return share * 1.6
    return share


def matter_of(rng: random.Random, line: str, day: date) -> Matter:
    category = category_of(rng, line, day)
    area = rng.choice(AREAS)
    if line == "962121":
        room = f"{rng.randint(1, 24)}0{rng.randint(1, 4)}"
        address = f"{area.name}{area.estate}{rng.randint(1, 60)}号楼{room}室"
    else:
        address = (
            f"{area.name}{rng.choice(area.roads)}{rng.randint(1, 999)}弄{rng.randint(1, 40)}号"
        )
    urgent = DEFAULT_CATEGORIES.require_leaf_or_node(line, category).urgent or rng.random() < 0.01
    content = f"市民来电反映{address}{rng.choice(_MATTERS[category])}。"
    return Matter(category, urgent, address, area, content)


def unit_for(matter: Matter) -> str:
    """The responsible unit of a matter: the utility or bureau of its category, the
    property company of its estate, or the town or street office of its area."""
    if matter.category in UNIT_OF_CATEGORY:
        return UNIT_OF_CATEGORY[matter.category]
    if matter.category.startswith("property_repair"):
        return matter.area.property_unit
    return matter.area.unit


def wrong_unit(rng: random.Random, right: str) -> str:
    return rng.choice([unit for unit in ALL_UNITS if unit != right])


def reply_text(rng: random.Random, matter: Matter) -> dict[str, str]:
    """The five elements of a unit's reply (time, place, person, matter, result)."""
    return {
        "handled_at": "当日",
        "place": matter.address,
        "person": rng.choice(_PERSONS),
        "matter": matter.content[:40],
        "result": rng.choice(_RESULTS),
    }
