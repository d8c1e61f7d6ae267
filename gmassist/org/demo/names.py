"""Hand-written lists of common names, in English and in Chinese (with pinyin for e-mail)."""

from __future__ import annotations

ENGLISH_FAMILY = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker",
    "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans",
    "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
    "Morgan", "Cooper", "Peterson", "Reed", "Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox",
    "Richardson", "Wood", "Watson", "Brooks", "Bennett", "Gray", "Hughes", "Price", "Sanders",
    "Myers", "Long", "Ross", "Foster", "Powell", "Jenkins", "Perry", "Russell", "Sullivan",
)  # fmt: skip
ENGLISH_GIVEN_FEMALE = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah",
    "Karen", "Lisa", "Nancy", "Sandra", "Ashley", "Emily", "Michelle", "Amanda", "Melissa",
    "Rebecca", "Laura", "Emma", "Olivia", "Sophia", "Grace", "Chloe", "Hannah", "Rachel", "Anna",
    "Helen", "Kate", "Lucy", "Alice", "Claire", "Julia", "Victoria", "Natalie",
)  # fmt: skip
ENGLISH_GIVEN_MALE = (
    "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
    "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Paul", "Andrew", "Joshua",
    "Kevin", "Brian", "George", "Edward", "Ryan", "Jacob", "Peter", "Henry", "Samuel", "Oliver",
    "Jack", "Benjamin", "Adam", "Simon", "Patrick", "Alexander", "Eric", "Nathan",
)  # fmt: skip

# (characters, pinyin)
CHINESE_FAMILY = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"),
    ("林", "lin"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("袁", "yuan"),
    ("潘", "pan"), ("于", "yu"), ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"), ("杜", "du"),
)  # fmt: skip
CHINESE_GIVEN_FEMALE = (
    ("芳", "fang"), ("娜", "na"), ("秀英", "xiuying"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("艳", "yan"), ("娟", "juan"), ("霞", "xia"), ("秀兰", "xiulan"), ("燕", "yan"), ("玲", "ling"),
    ("桂英", "guiying"), ("丹", "dan"), ("萍", "ping"), ("红", "hong"), ("婷", "ting"),
    ("雪", "xue"), ("琳", "lin"), ("晶", "jing"), ("欣怡", "xinyi"), ("梓涵", "zihan"),
    ("诗琪", "shiqi"), ("雨桐", "yutong"), ("佳怡", "jiayi"), ("思远", "siyuan"), ("慧", "hui"),
    ("颖", "ying"), ("倩", "qian"), ("璐", "lu"),
)  # fmt: skip
CHINESE_GIVEN_MALE = (
    ("伟", "wei"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"),
    ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("刚", "gang"), ("平", "ping"),
    ("辉", "hui"), ("鹏", "peng"), ("华", "hua"), ("飞", "fei"), ("鑫", "xin"), ("波", "bo"),
    ("斌", "bin"), ("宇", "yu"), ("浩", "hao"), ("凯", "kai"), ("俊杰", "junjie"),
    ("子轩", "zixuan"), ("浩然", "haoran"), ("建国", "jianguo"), ("志强", "zhiqiang"),
    ("文博", "wenbo"), ("天佑", "tianyou"), ("博文", "bowen"),
)  # fmt: skip
