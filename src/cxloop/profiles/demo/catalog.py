"""Products, issues and the texts customers write about them, per market and language."""

from __future__ import annotations

# market -> (currency, language)
MARKETS = {
    "TW": ("TWD", "zh-Hant"),
    "HK": ("HKD", "zh-Hant"),
    "CN": ("CNY", "zh-Hans"),
    "TH": ("THB", "th"),
    "US": ("USD", "en"),
}

# code, name, category, monthly amount in major units per market
PLANS = [
    ("TV-BASIC", "TV Basic", "tv", {"TW": 599, "HK": 168, "CN": 68, "TH": 399, "US": 49}),
    ("TV-PREMIUM", "TV Premium", "tv", {"TW": 1199, "HK": 328, "CN": 138, "TH": 899, "US": 89}),
    ("NET-300", "Fibre 300", "internet", {"TW": 799, "HK": 198, "CN": 99, "TH": 590, "US": 65}),
    ("NET-1G", "Fibre 1G", "internet", {"TW": 1399, "HK": 298, "CN": 199, "TH": 990, "US": 110}),
    ("MOB-S", "Mobile S", "mobile", {"TW": 399, "HK": 98, "CN": 58, "TH": 299, "US": 35}),
    ("MOB-L", "Mobile Unlimited", "mobile", {"TW": 999, "HK": 238, "CN": 128, "TH": 799, "US": 75}),
]

DEVICES = [
    ("Phone X12", {"TW": 28900, "HK": 7499, "CN": 6299, "TH": 32900, "US": 899}),
    ("Wi-Fi 7 router", {"TW": 5990, "HK": 1599, "CN": 1299, "TH": 6990, "US": 199}),
    ("Earbuds Pro", {"TW": 6490, "HK": 1699, "CN": 1399, "TH": 7490, "US": 229}),
    ("Charging cable", {"TW": 590, "HK": 149, "CN": 99, "TH": 490, "US": 19}),
    ("Phone case", {"TW": 890, "HK": 229, "CN": 149, "TH": 690, "US": 29}),
]

AGENTS = {
    "TW": ["林怡君", "張家豪", "王淑芬", "陳冠宇", "黃詩涵", "李承恩"],
    "HK": ["陳嘉欣", "黃志明", "李詠詩", "張偉文", "Karen Lau", "Eric Wong"],
    "CN": ["王磊", "李娜", "张伟", "刘洋", "陈静", "杨帆"],
    "TH": ["สมศรี ใจดี", "ธนพล แก้วมณี", "วรรณา สุขใจ", "ประเสริฐ ทองดี", "กนกพร ศรีสุข", "ณัฐวุฒิ บุญมา"],
    "US": [
        "Jessica Miller",
        "Kevin Brown",
        "Maria Garcia",
        "Tyler Johnson",
        "Ashley Davis",
        "Marcus Lee",
    ],
}

# issue type -> (weight, channels, outcomes)
ISSUES = {
    "billing": (0.25, ("phone", "chat", "email"), ("resolved", "resolved", "refund", "escalated")),
    "outage": (0.15, ("phone", "app", "chat"), ("resolved", "technician", "resolved")),
    "plan_change": (0.15, ("store", "web", "phone"), ("completed", "completed", "pending")),
    "device": (0.12, ("store", "chat", "phone"), ("resolved", "replaced", "escalated")),
    "appointment": (0.10, ("phone", "app", "sms"), ("rescheduled", "completed", "missed")),
    "complaint": (0.08, ("phone", "email", "social"), ("escalated", "apology", "resolved")),
    "praise": (0.05, ("app", "social", "survey"), ("thanked",)),
    "cancel": (0.10, ("phone", "store"), ("retained", "cancelled", "pending")),
}

TEXTS: dict[str, dict[str, list[str]]] = {
    "billing": {
        "zh-Hant": [
            "這個月的帳單多收了一筆費用，請幫我查一下。",
            "帳單金額跟方案不符，已經第二次反映了。",
        ],
        "zh-Hans": [
            "这个月的账单多收了一笔费用，请帮我查一下。",
            "账单金额和套餐不符，已经第二次反映了。",
        ],
        "th": ["บิลเดือนนี้เก็บเงินเกิน ช่วยตรวจสอบให้หน่อยค่ะ", "ยอดบิลไม่ตรงกับแพ็กเกจ แจ้งไปครั้งที่สองแล้ว"],
        "en": [
            "I was charged twice on this month's bill, please check.",
            "The bill does not match my plan. Second time I report this.",
        ],
    },
    "outage": {
        "zh-Hant": ["家裡網路從昨晚就斷線了，完全無法上網。", "第四台訊號一直中斷，晚上都不能看。"],
        "zh-Hans": ["家里网络从昨晚就断了，完全上不了网。", "电视信号一直中断，晚上都看不了。"],
        "th": ["อินเทอร์เน็ตที่บ้านใช้ไม่ได้ตั้งแต่เมื่อคืน", "สัญญาณทีวีหลุดบ่อยมาก ดูไม่ได้เลยตอนกลางคืน"],
        "en": [
            "Internet has been down since last night.",
            "TV signal keeps dropping every evening.",
        ],
    },
    "plan_change": {
        "zh-Hant": ["想升級到 1G 光纖方案。", "請幫我把手機方案換成吃到飽。"],
        "zh-Hans": ["想升级到 1G 光纤套餐。", "请帮我把手机套餐换成不限量。"],
        "th": ["อยากอัปเกรดเป็นไฟเบอร์ 1G", "ขอเปลี่ยนแพ็กเกจมือถือเป็นแบบไม่จำกัด"],
        "en": ["I'd like to upgrade to Fibre 1G.", "Please switch my mobile plan to unlimited."],
    },
    "device": {
        "zh-Hant": ["新手機充電很慢，可以換貨嗎？", "路由器一直重開機。"],
        "zh-Hans": ["新手机充电很慢，可以换货吗？", "路由器一直重启。"],
        "th": ["โทรศัพท์ใหม่ชาร์จช้ามาก เปลี่ยนเครื่องได้ไหม", "เราเตอร์รีสตาร์ทตัวเองตลอด"],
        "en": [
            "My new phone charges very slowly, can I exchange it?",
            "The router keeps rebooting.",
        ],
    },
    "appointment": {
        "zh-Hant": ["技師約好下午兩點，結果沒有來。", "想把裝機時間改到週六。"],
        "zh-Hans": ["师傅约好下午两点，结果没来。", "想把安装时间改到周六。"],
        "th": ["ช่างนัดบ่ายสองโมงแต่ไม่มา", "ขอเลื่อนนัดติดตั้งเป็นวันเสาร์"],
        "en": [
            "The technician was booked for 2pm and never showed up.",
            "Can I move the installation to Saturday?",
        ],
    },
    "complaint": {
        "zh-Hant": ["客服態度很差，一直要我重複說明。", "打了三次電話，每個人都說不一樣的話。"],
        "zh-Hans": ["客服态度很差，一直让我重复说明。", "打了三次电话，每个人说的都不一样。"],
        "th": ["พนักงานพูดจาไม่ดี ให้อธิบายซ้ำหลายรอบ", "โทรไปสามครั้ง ได้คำตอบไม่เหมือนกันเลย"],
        "en": [
            "The agent was rude and made me repeat everything.",
            "Called three times and got three different answers.",
        ],
    },
    "praise": {
        "zh-Hant": ["門市人員很專業，謝謝！", "技師很準時也很細心。"],
        "zh-Hans": ["门店工作人员很专业，谢谢！", "师傅很准时也很细心。"],
        "th": ["พนักงานที่ร้านบริการดีมาก ขอบคุณค่ะ", "ช่างมาตรงเวลาและใส่ใจมาก"],
        "en": [
            "The store staff were very professional, thank you!",
            "The technician was on time and careful.",
        ],
    },
    "cancel": {
        "zh-Hant": ["價格太貴了，想解約。", "搬家後想停掉第四台。"],
        "zh-Hans": ["价格太贵了，想解约。", "搬家后想停掉电视。"],
        "th": ["ราคาแพงเกินไป อยากยกเลิกสัญญา", "ย้ายบ้านแล้ว ขอยกเลิกทีวี"],
        "en": [
            "It's too expensive, I want to cancel.",
            "Moving house, please cancel the TV service.",
        ],
    },
}
