"""Name, street and provider pools for the synthetic-people generator (hand-written data)."""

from __future__ import annotations

# Chinese surnames: traditional, Taiwan passport spelling (WG), Hong Kong spelling, weight.
CHINESE_SURNAMES = [
    tuple(row.split("|"))
    for row in """陳|Chen|Chan|11.1
林|Lin|Lam|8.3
黃|Huang|Wong|6.0
張|Chang|Cheung|5.3
李|Lee|Lee|5.1
王|Wang|Wong|4.1
吳|Wu|Ng|4.0
劉|Liu|Lau|3.2
蔡|Tsai|Choi|2.9
楊|Yang|Yeung|2.6
許|Hsu|Hui|2.3
鄭|Cheng|Cheng|1.9
謝|Hsieh|Tse|1.8
郭|Kuo|Kwok|1.7
洪|Hung|Hung|1.6
曾|Tseng|Tsang|1.4
邱|Chiu|Yau|1.4
廖|Liao|Liu|1.2
賴|Lai|Lai|1.2
周|Chou|Chow|1.1
徐|Hsu|Tsui|1.1
蘇|Su|So|1.0
葉|Yeh|Yip|0.9
莊|Chuang|Chong|0.8
呂|Lu|Lui|0.8
江|Chiang|Kong|0.8
何|Ho|Ho|0.8
蕭|Hsiao|Siu|0.7
羅|Lo|Law|0.7
高|Kao|Ko|0.6
梁|Liang|Leung|0.6
馬|Ma|Ma|0.4
朱|Chu|Chu|0.5
胡|Hu|Wu|0.5
孫|Sun|Suen|0.4
趙|Chao|Chiu|0.4
麥|Mai|Mak|0.3
譚|Tan|Tam|0.3
鄧|Teng|Tang|0.4
馮|Feng|Fung|0.3
歐陽|Ouyang|Au Yeung|0.1""".splitlines()
]

# Whole given names that are very common (so namesakes are common): traditional, sex.
POPULAR_GIVEN = [
    tuple(x.split(":"))
    for x in [
        "怡君:f",
        "雅婷:f",
        "佳穎:f",
        "欣怡:f",
        "淑芬:f",
        "美玲:f",
        "雅雯:f",
        "詩涵:f",
        "宜蓁:f",
        "婉婷:f",
        "家豪:m",
        "志明:m",
        "俊傑:m",
        "建宏:m",
        "承恩:m",
        "冠宇:m",
        "宇軒:m",
        "志偉:m",
        "偉:m",
        "芳:f",
        "娜:f",
        "敏:f",
        "靜:f",
        "秀英:f",
        "麗:f",
        "強:m",
        "磊:m",
        "軍:m",
        "洋:m",
        "勇:m",
        "傑:m",
        "濤:m",
        "明:m",
        "超:m",
        "秀蘭:f",
        "霞:f",
        "平:m",
        "剛:m",
        "桂英:f",
        "子軒:m",
        "浩然:m",
        "梓涵:f",
        "威廷:m",
        "文華:m",
        "國華:m",
        "淑惠:f",
        "美惠:f",
        "麗華:f",
        "建國:m",
        "志豪:m",
        "家瑋:m",
        "冠廷:m",
        "彥廷:m",
        "柏翰:m",
        "宗翰:m",
        "佩君:f",
        "思妤:f",
        "心怡:f",
        "玉蘭:f",
    ]
]
GIVEN_FIRST = {
    "m": list("志家俊建承冠宇偉文國彥柏宗明子浩嘉振正信"),
    "f": list("怡雅佳欣淑美詩宜婉佩思心玉麗惠秀靜曉雨芷"),
}
GIVEN_SECOND = {
    "m": list("豪明傑宏恩宇軒偉廷華翰成德安龍平輝強祥文"),
    "f": list("君婷穎怡芬玲雯涵蓁萱妤慧琪如瑜貞蘭芳珊潔"),
}
# Look-alike or same-sounding characters an agent may type instead (typo model).
HAN_CONFUSIONS = dict(
    zip(
        "君婷偉志明雅怡豪傑宏玲芬慧琪瑜廷華翰",
        "均庭瑋智銘亞宜浩杰弘鈴紛惠淇渝庭樺瀚",
        strict=True,
    )
)

# Hong Kong given names with their Cantonese (HK government) romanisation.
HK_GIVEN = [
    tuple(x.split(":"))
    for x in [
        "大文:Tai Man:m",
        "家豪:Ka Ho:m",
        "志明:Chi Ming:m",
        "俊傑:Chun Kit:m",
        "偉強:Wai Keung:m",
        "家偉:Ka Wai:m",
        "國華:Kwok Wah:m",
        "子軒:Tsz Hin:m",
        "浩然:Ho Yin:m",
        "卓賢:Cheuk Yin:m",
        "文傑:Man Kit:m",
        "嘉俊:Ka Chun:m",
        "志偉:Chi Wai:m",
        "永康:Wing Hong:m",
        "少華:Siu Wah:m",
        "嘉欣:Ka Yan:f",
        "美玲:Mei Ling:f",
        "詠詩:Wing Sze:f",
        "淑儀:Shuk Yee:f",
        "凱琳:Hoi Lam:f",
        "思穎:Sze Wing:f",
        "嘉儀:Ka Yee:f",
        "慧敏:Wai Man:f",
        "寶儀:Po Yee:f",
        "麗珊:Lai Shan:f",
        "雅婷:Nga Ting:f",
        "曉彤:Hiu Tung:f",
        "佩珊:Pui Shan:f",
        "秀英:Sau Ying:f",
        "玉蓮:Yuk Lin:f",
        "家欣:Ka Yan:f",
        "穎欣:Wing Yan:f",
        "芷晴:Tsz Ching:f",
        "樂怡:Lok Yi:f",
        "詩敏:Sze Man:f",
    ]
]
ENGLISH_GIVEN = {
    "m": [
        "Peter",
        "Kelvin",
        "Ivan",
        "Alan",
        "Eric",
        "Jason",
        "Kenneth",
        "Raymond",
        "Tony",
        "Vincent",
        "Jacky",
        "Andy",
        "Dennis",
    ],
    "f": [
        "Mary",
        "Winnie",
        "Karen",
        "Cindy",
        "Vivian",
        "Fiona",
        "Carmen",
        "Joyce",
        "Amy",
        "Grace",
        "Iris",
        "Jenny",
        "Michelle",
    ],
}

# Thai given names: script, everyday romanisation, sex.
THAI_GIVEN = [
    tuple(x.split(":"))
    for x in [
        "สมชาย:Somchai:m",
        "สมศักดิ์:Somsak:m",
        "วิชัย:Wichai:m",
        "ประเสริฐ:Prasert:m",
        "สุรชัย:Surachai:m",
        "อนุชา:Anucha:m",
        "ธนพล:Thanaphon:m",
        "ณัฐพล:Nattaphon:m",
        "กิตติพงษ์:Kittiphong:m",
        "อภิชาติ:Aphichat:m",
        "สมบัติ:Sombat:m",
        "ชัยวัฒน์:Chaiwat:m",
        "วีระ:Weera:m",
        "ศักดิ์ชัย:Sakchai:m",
        "ปิยะ:Piya:m",
        "ธีระ:Thira:m",
        "สุเมธ:Sumet:m",
        "บุญชัย:Boonchai:m",
        "สมศรี:Somsri:f",
        "สุดา:Suda:f",
        "มาลี:Malee:f",
        "วันเพ็ญ:Wanphen:f",
        "ปิยะนุช:Piyanuch:f",
        "กาญจนา:Kanchana:f",
        "สุภาพร:Supaporn:f",
        "นภา:Napha:f",
        "อรุณี:Arunee:f",
        "พรทิพย์:Porntip:f",
        "ศิริพร:Siriporn:f",
        "รัตนา:Rattana:f",
        "จันทร์เพ็ญ:Chanphen:f",
        "อัมพร:Amporn:f",
        "วิไล:Wilai:f",
        "สายสุนีย์:Saisunee:f",
        "เพ็ญศรี:Pensri:f",
        "ดวงใจ:Duangjai:f",
    ]
]
THAI_FAMILY_HEAD = [
    tuple(x.split(":"))
    for x in [
        "แสง:Saeng",
        "ศรี:Sri",
        "ทอง:Thong",
        "บุญ:Boon",
        "สุข:Suk",
        "แก้ว:Kaew",
        "จันทร์:Chan",
        "พร:Phon",
        "วงศ์:Wong",
        "ชัย:Chai",
        "เจริญ:Charoen",
        "สม:Som",
        "รัตน์:Rat",
        "ใจ:Jai",
        "มั่น:Man",
        "อินทร์:In",
        "ปัญญา:Panya",
        "พรหม:Phrom",
    ]
]
THAI_FAMILY_TAIL = [
    tuple(x.split(":"))
    for x in [
        "ทอง:thong",
        "สุข:suk",
        "ดี:dee",
        "มา:ma",
        "สวัสดิ์:sawat",
        "วงศ์:wong",
        "ชัย:chai",
        "เรือง:ruang",
        "มณี:manee",
        "ศรี:sri",
        "คำ:kham",
        "แก้ว:kaew",
        "ประเสริฐ:prasert",
        "พันธ์:phan",
        "กุล:kul",
        "สมบูรณ์:somboon",
        "มงคล:mongkol",
    ]
]
THAI_NICKNAMES = [
    tuple(x.split(":"))
    for x in [
        "นก:Nok",
        "แดง:Daeng",
        "หนึ่ง:Nueng",
        "ต้น:Ton",
        "บอย:Boy",
        "แป้ง:Paeng",
        "เก่ง:Keng",
        "ปุ๊:Pu",
        "มด:Mod",
        "ตุ๊ก:Tuk",
        "ฝน:Fon",
        "เล็ก:Lek",
    ]
]

# US first names: name, sex, nicknames (comma separated, may be empty), weight.
US_FIRST = [
    tuple(x.split(":"))
    for x in [
        "Robert:m:Bob,Rob:3",
        "William:m:Bill,Will:3",
        "James:m:Jim,Jimmy:3",
        "Michael:m:Mike:3",
        "David:m:Dave:3",
        "Thomas:m:Tom:2",
        "Richard:m:Rick,Dick:2",
        "Christopher:m:Chris:2",
        "Matthew:m:Matt:2",
        "Joseph:m:Joe:2",
        "Daniel:m:Dan:2",
        "Anthony:m:Tony:1",
        "Steven:m:Steve:1",
        "Charles:m:Charlie,Chuck:1",
        "Edward:m:Ed,Ted:1",
        "Andrew:m:Andy:1",
        "John:m:Jack,Johnny:3",
        "Kevin:m::1",
        "Brian:m::1",
        "George:m::1",
        "Jason:m::1",
        "Ryan:m::1",
        "Eric:m::1",
        "Justin:m::1",
        "Samuel:m:Sam:1",
        "Benjamin:m:Ben:1",
        "Alexander:m:Alex:1",
        "Nicholas:m:Nick:1",
        "Gregory:m:Greg:1",
        "Jeffrey:m:Jeff:1",
        "Timothy:m:Tim:1",
        "Kenneth:m:Ken:1",
        "Joshua:m:Josh:1",
        "Elizabeth:f:Liz,Beth:3",
        "Katherine:f:Kate,Katie:2",
        "Jennifer:f:Jen,Jenny:3",
        "Patricia:f:Pat,Patty:2",
        "Margaret:f:Maggie,Peggy:2",
        "Susan:f:Sue:2",
        "Deborah:f:Debbie:1",
        "Jessica:f:Jess:2",
        "Rebecca:f:Becky:1",
        "Mary:f::3",
        "Linda:f::2",
        "Barbara:f::2",
        "Sarah:f::2",
        "Karen:f::2",
        "Nancy:f::1",
        "Lisa:f::2",
        "Sandra:f:Sandy:1",
        "Ashley:f::2",
        "Emily:f::2",
        "Michelle:f::1",
        "Amanda:f:Mandy:1",
        "Melissa:f::1",
        "Stephanie:f::1",
        "Laura:f::1",
    ]
]
US_LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Powell",
    "Jenkins",
    "Perry",
    "Russell",
    "Sullivan",
    "Bell",
    "Coleman",
    "Butler",
    "Henderson",
    "Barnes",
    "Gonzales",
    "Fisher",
    "Vasquez",
    "Simmons",
    "Romero",
    "Jordan",
    "Patterson",
]

# Addresses: (native city/district, English city/district, postcode) and streets.
TW_AREAS = [
    tuple(x.split(":"))
    for x in [
        "台北市:大安區:Taipei City:Da'an:106",
        "台北市:信義區:Taipei City:Xinyi:110",
        "台北市:中山區:Taipei City:Zhongshan:104",
        "台北市:內湖區:Taipei City:Neihu:114",
        "台北市:士林區:Taipei City:Shilin:111",
        "臺北市:文山區:Taipei City:Wenshan:116",
        "新北市:板橋區:New Taipei City:Banqiao:220",
        "新北市:中和區:New Taipei City:Zhonghe:235",
        "新北市:新店區:New Taipei City:Xindian:231",
        "新北市:三重區:New Taipei City:Sanchong:241",
        "台中市:西屯區:Taichung City:Xitun:407",
        "臺中市:北區:Taichung City:North:404",
        "高雄市:苓雅區:Kaohsiung City:Lingya:802",
        "高雄市:左營區:Kaohsiung City:Zuoying:813",
    ]
]
TW_ROADS = [
    tuple(x.split(":"))
    for x in [
        "復興南路:Fuxing S. Rd.",
        "忠孝東路:Zhongxiao E. Rd.",
        "民生東路:Minsheng E. Rd.",
        "中山北路:Zhongshan N. Rd.",
        "和平東路:Heping E. Rd.",
        "信義路:Xinyi Rd.",
        "光復南路:Guangfu S. Rd.",
        "羅斯福路:Roosevelt Rd.",
        "文化路:Wenhua Rd.",
        "中正路:Zhongzheng Rd.",
        "民族路:Minzu Rd.",
        "中華路:Zhonghua Rd.",
    ]
]
HK_AREAS = [
    tuple(x.split(":"))
    for x in [
        "中環:Central",
        "灣仔:Wan Chai",
        "銅鑼灣:Causeway Bay",
        "旺角:Mong Kok",
        "沙田:Sha Tin",
        "觀塘:Kwun Tong",
        "荃灣:Tsuen Wan",
        "將軍澳:Tseung Kwan O",
    ]
]
HK_STREETS = [
    tuple(x.split(":"))
    for x in [
        "皇后大道中:Queen's Road Central",
        "軒尼詩道:Hennessy Road",
        "彌敦道:Nathan Road",
        "英皇道:King's Road",
        "德輔道中:Des Voeux Road Central",
        "青山公路:Castle Peak Road",
    ]
]
HK_BUILDINGS = [
    tuple(x.split(":"))
    for x in [
        "美孚新邨:Mei Foo Sun Chuen",
        "太古城:Taikoo Shing",
        "置富花園:Chi Fu Fa Yuen",
        "麗港城:Laguna City",
        "嘉湖山莊:Kingswood Villas",
        "沙田第一城:City One Shatin",
        "華富邨:Wah Fu Estate",
        "杏花邨:Heng Fa Chuen",
    ]
]
CN_AREAS = [
    tuple(x.split(":"))
    for x in [
        "北京市:朝阳区:100020",
        "北京市:海淀区:100080",
        "北京市:东城区:100010",
        "上海市:浦东新区:200120",
        "上海市:徐汇区:200030",
        "广州市:天河区:510630",
        "广州市:越秀区:510030",
        "深圳市:南山区:518052",
        "深圳市:福田区:518033",
        "杭州市:西湖区:310012",
        "成都市:武侯区:610041",
    ]
]
CN_ROADS = [
    "中山路",
    "人民路",
    "解放路",
    "建设路",
    "和平路",
    "南京路",
    "长安街",
    "文化路",
    "科技路",
    "学院路",
    "光明路",
    "新华路",
]
TH_AREAS = [
    tuple(x.split(":"))
    for x in [
        "ปทุมวัน:ลุมพินี:Pathum Wan:Lumphini:10330",
        "วัฒนา:คลองเตยเหนือ:Watthana:Khlong Toei Nuea:10110",
        "จตุจักร:ลาดยาว:Chatuchak:Lat Yao:10900",
        "บางรัก:สีลม:Bang Rak:Si Lom:10500",
        "ห้วยขวาง:ห้วยขวาง:Huai Khwang:Huai Khwang:10310",
        "บางกะปิ:คลองจั่น:Bang Kapi:Khlong Chan:10240",
    ]
]
TH_ROADS = [
    tuple(x.split(":"))
    for x in [
        "สุขุมวิท:Sukhumvit",
        "พหลโยธิน:Phahonyothin",
        "รัชดาภิเษก:Ratchadaphisek",
        "สีลม:Silom",
        "ลาดพร้าว:Lat Phrao",
        "เพชรบุรี:Phetchaburi",
    ]
]
US_CITIES = [
    tuple(x.split(":"))
    for x in [
        "San Francisco:CA:941",
        "New York:NY:100",
        "Chicago:IL:606",
        "Seattle:WA:981",
        "Houston:TX:770",
        "Boston:MA:021",
        "Austin:TX:787",
        "Denver:CO:802",
    ]
]
US_STREETS = [
    "Main",
    "Oak",
    "Pine",
    "Maple",
    "Cedar",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Market",
    "Mission",
    "Sunset",
    "Highland",
    "Jefferson",
    "Lincoln",
    "Madison",
    "Franklin",
    "Church",
    "Spring",
]
US_STREET_TYPES = [("St", "Street"), ("Ave", "Avenue"), ("Blvd", "Boulevard"), ("Dr", "Drive")]
US_AREA_CODES = {
    "CA": [415, 628, 510],
    "NY": [212, 646, 718],
    "IL": [312, 773],
    "WA": [206, 425],
    "TX": [713, 832, 512, 737],
    "MA": [617, 857],
    "CO": [303, 720],
}

EMAIL_DOMAINS = {
    "TW": ["gmail.com", "yahoo.com.tw", "hotmail.com", "msn.com", "gmail.com"],
    "HK": ["gmail.com", "yahoo.com.hk", "netvigator.com", "hotmail.com"],
    "CN": ["qq.com", "163.com", "126.com", "sina.com", "gmail.com"],
    "TH": ["gmail.com", "hotmail.com", "yahoo.co.th", "gmail.com"],
    "US": ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com"],
}
