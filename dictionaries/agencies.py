"""Agency gazetteer: canonical names, their kinds, abbreviations, and which names take a locality.

Sources (see ``../shared/reference/vn_conventions.json``): the 14 ministries after Nghị quyết
176/2025/QH15 (``ministries_2025``); provincial departments after Nghị định 150/2025/NĐ-CP
(``provincial_departments``), with the pre-2025 names still cited in plans; Party organs from Quy
định 399-QĐ/TW and the issuer suffixes (``party_issuer_suffixes``); common abbreviations
(``common_abbreviations``: UBND, HĐND, MTTQ, BCĐ, TTYT, TYT, VPUB). Locality units and place names
come from underthesea's address data (``dictionaries/places.py``).
"""

from __future__ import annotations

# name -> kind; matched wherever they occur, never given a locality
NATIONAL = {
    "Bộ Chính trị": "party", "Ban Bí thư": "party", "Ban Chấp hành Trung ương Đảng": "party",
    "Quốc hội": "state_central", "Chính phủ": "state_central", "Thủ tướng Chính phủ": "state_central",
    "Ủy ban Thường vụ Quốc hội": "state_central", "Chủ tịch nước": "state_central",
    "Bộ Quốc phòng": "ministry", "Bộ Công an": "ministry", "Bộ Ngoại giao": "ministry", "Bộ Nội vụ": "ministry",
    "Bộ Tư pháp": "ministry", "Bộ Tài chính": "ministry", "Bộ Công Thương": "ministry",
    "Bộ Nông nghiệp và Môi trường": "ministry", "Bộ Xây dựng": "ministry",
    "Bộ Văn hóa, Thể thao và Du lịch": "ministry", "Bộ Khoa học và Công nghệ": "ministry",
    "Bộ Giáo dục và Đào tạo": "ministry", "Bộ Y tế": "ministry", "Bộ Dân tộc và Tôn giáo": "ministry",
    "Bộ Kế hoạch và Đầu tư": "ministry", "Bộ Lao động - Thương binh và Xã hội": "ministry",
    "Bộ Thông tin và Truyền thông": "ministry", "Ngân hàng Nhà nước Việt Nam": "ministry",
    "Thanh tra Chính phủ": "ministry", "Văn phòng Chính phủ": "ministry",
    "Cục Dân số": "department", "Tổng cục Dân số - Kế hoạch hóa gia đình": "department",
    "Cục Thống kê": "department", "Tổng cục Thống kê": "department",
    "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam": "mass_organisation",
    "Tổng Liên đoàn Lao động Việt Nam": "mass_organisation",
    "Bộ đội Biên phòng": "military",   # the border guard (two plans on drugs); its provincial command below
    "Tòa án nhân dân tối cao": "state_central", "Viện kiểm sát nhân dân tối cao": "state_central",
    "Ban Thi đua - Khen thưởng Trung ương": "department",
    # the National Assembly's own bodies (Luật Tổ chức Quốc hội), by the names plans cite: the earlier
    # committees, and those of 2025 a plan here prints (Kinh tế và Ngân sách, Văn hóa và Xã hội)
    "Văn phòng Quốc hội": "state_central", "Tổng Thư ký Quốc hội": "state_central",
    "Hội đồng Dân tộc": "state_central", "Ban Công tác đại biểu": "state_central", "Ban Dân nguyện": "state_central",
    "Viện Nghiên cứu lập pháp": "state_central", "Ủy ban Pháp luật": "state_central", "Ủy ban Tư pháp": "state_central",
    "Ủy ban Kinh tế": "state_central", "Ủy ban Tài chính, Ngân sách": "state_central",
    "Ủy ban Kinh tế và Ngân sách": "state_central", "Ủy ban Quốc phòng và An ninh": "state_central",
    "Ủy ban Đối ngoại": "state_central", "Ủy ban Văn hóa, Giáo dục": "state_central", "Ủy ban Xã hội": "state_central",
    "Ủy ban Văn hóa và Xã hội": "state_central", "Ủy ban Khoa học, Công nghệ và Môi trường": "state_central",
    # the telecom groups plans assign work to (digital transformation, disaster recovery)
    "Viettel": "other", "VNPT": "other", "MobiFone": "other",
    "Hội Người cao tuổi": "mass_organisation",
    # provincial departments (Nghị định 150/2025/NĐ-CP) and names plans still use
    "Sở Nội vụ": "department", "Sở Tư pháp": "department", "Sở Tài chính": "department",
    "Sở Công Thương": "department", "Sở Nông nghiệp và Môi trường": "department", "Sở Xây dựng": "department",
    "Sở Khoa học và Công nghệ": "department", "Sở Văn hóa, Thể thao và Du lịch": "department",
    "Sở Văn hóa và Thể thao": "department", "Sở Du lịch": "department",
    "Sở Giáo dục và Đào tạo": "department", "Sở Y tế": "department", "Sở Dân tộc và Tôn giáo": "department",
    "Sở Ngoại vụ": "department", "Sở Kế hoạch và Đầu tư": "department",
    "Sở Lao động - Thương binh và Xã hội": "department", "Sở Thông tin và Truyền thông": "department",
    "Sở Tài nguyên và Môi trường": "department", "Sở Giao thông vận tải": "department",
    "Sở Nông nghiệp và Phát triển nông thôn": "department",
    "Phòng Văn hóa - Xã hội": "department", "Phòng Kinh tế": "department",
}

# Head -> kind. The canonical name is the head, then the locality: "Công an tỉnh Quảng Ngãi".
LOCAL_HEADS = {
    "Ủy ban nhân dân": "people_committee", "Hội đồng nhân dân": "people_council",
    "Thường trực Hội đồng nhân dân": "people_council", "Văn phòng Ủy ban nhân dân": "office",
    "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân": "office", "Công an": "police",
    "Ủy ban Mặt trận Tổ quốc Việt Nam": "mass_organisation", "Hội Nông dân": "mass_organisation",
    "Hội Liên hiệp Phụ nữ": "mass_organisation", "Liên đoàn Lao động": "mass_organisation",
    "Hội Cựu chiến binh": "mass_organisation", "Đoàn Thanh niên Cộng sản Hồ Chí Minh": "mass_organisation",
    "Đảng ủy": "party", "Đảng ủy Ủy ban nhân dân": "party", "Ban Thường vụ Đảng ủy Ủy ban nhân dân": "party",
    "Đảng ủy các cơ quan Đảng": "party", "Ban Chấp hành Đảng bộ": "party",
    "Trạm Y tế": "health_facility", "Trung tâm Y tế": "health_facility", "Bệnh viện Đa khoa": "health_facility",
    "Trung tâm Kiểm soát bệnh tật": "health_facility", "Trường Chính trị": "school",
    "Đài Phát thanh - Truyền hình": "press", "Đài Phát thanh và Truyền hình": "press",
    "Cổng Thông tin điện tử": "press", "Trung tâm Văn hóa, Thông tin và Truyền thông": "office",
    "Ban Chỉ đạo công tác Dân số và Phát triển": "steering_committee",
    "Ban Chỉ đạo Dân số và Phát triển": "steering_committee", "Ban Chỉ đạo công tác Dân số": "steering_committee",
    "Chi cục Dân số - Kế hoạch hóa gia đình": "department", "Ban Văn hóa - Xã hội Hội đồng nhân dân": "people_council",
    "Quân sự": "military", "Bộ Chỉ huy Quân sự": "military",
    "Bộ Tư lệnh": "military",   # a city's command: "Bộ Tư lệnh Thành phố" (two Ho Chi Minh City plans)
    "Ban Chỉ huy Phòng thủ dân sự": "military", "Văn phòng Ban Chỉ huy Phòng thủ dân sự": "military",
    "Ban Chỉ huy Bộ đội Biên phòng": "military", "Bộ Chỉ huy Bộ đội Biên phòng": "military",
    "Tòa án nhân dân": "other", "Viện kiểm sát nhân dân": "other",
    "Hội đồng Thi đua - Khen thưởng": "other",
    "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân": "office",
    # 2025: a province's newspaper and radio-television merged ("Báo và Phát thanh, Truyền hình Cần
    # Thơ"), the provincial tax and social insurance offices renamed ("Thuế tỉnh Lâm Đồng", "Bảo hiểm
    # xã hội tỉnh Lâm Đồng"); kind "other" keeps a bare "Thuế …" opening a sentence from being one
    "Báo và Phát thanh, Truyền hình": "press",
    "Thuế": "other", "Bảo hiểm xã hội": "other",
    # economic associations plans ask to take part ("Liên minh Hợp tác xã tỉnh", four plans here;
    # "Hiệp hội doanh nghiệp tỉnh", two)
    "Liên minh Hợp tác xã": "mass_organisation", "Hiệp hội Doanh nghiệp": "other",
}

# Other names for a gazetteer agency -> its canonical name.
ALIASES = {
    "Mặt trận Tổ quốc Việt Nam": "Ủy ban Mặt trận Tổ quốc Việt Nam",
    "Ủy ban Mặt trận Tổ quốc": "Ủy ban Mặt trận Tổ quốc Việt Nam",
    "Mặt trận Tổ quốc": "Ủy ban Mặt trận Tổ quốc Việt Nam",
    # recipients lists shorten it: "Văn phòng ĐBQH và HĐND TP", "Văn phòng ĐĐBQH&HĐND tỉnh" (four plans)
    "Văn phòng đại biểu Quốc hội và Hội đồng nhân dân": "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân",
    "Văn phòng Đoàn đại biểu Quốc hội Hội đồng nhân dân": "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân",
}

# Party committees of a province or city: "Tỉnh ủy Quảng Ngãi", "Ban Thường vụ Thành ủy Hà Nội".
PARTY_COMMITTEES = {"Tỉnh ủy": "tỉnh", "Thành ủy": "thành phố"}
PARTY_BODIES = {
    "": "party", "Ban Thường vụ": "party", "Thường trực": "party", "Văn phòng": "party",
    "Ban Tuyên giáo và Dân vận": "party", "Ủy ban Kiểm tra": "party", "Ban Tổ chức": "party",
}
# Named after the place alone: "Báo Quảng Ngãi", "Tỉnh đoàn Bình Dương".
PLACE_NAMED = {"Báo": "press", "Tỉnh đoàn": "mass_organisation", "Thành đoàn": "mass_organisation"}
# The Youth Union of a province or city goes by the short name above: "Đoàn TNCS Hồ Chí Minh tỉnh
# Sơn La" is "Tỉnh đoàn Sơn La" (the gold of two plans names it so).
YOUTH_UNION = ("Đoàn Thanh niên Cộng sản Hồ Chí Minh", {"tỉnh": "Tỉnh đoàn", "thành phố": "Thành đoàn"})

# Abbreviation (folded key) -> words it stands for (folded keys).
ABBREVIATIONS = {
    "ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "mttq": "mat tran to quoc",
    "ubmttq": "uy ban mat tran to quoc", "vpub": "van phong uy ban nhan dan", "bcd": "ban chi dao",
    "ttyt": "trung tam y te", "tyt": "tram y te", "syt": "so y te", "byt": "bo y te", "snv": "so noi vu",
    "stc": "so tai chinh", "stp": "so tu phap", "sgddt": "so giao duc va dao tao", "cdc": "trung tam kiem soat benh tat",
    "ttdt": "thong tin dien tu", "khhgd": "ke hoach hoa gia dinh", "ds": "dan so", "tw": "trung uong",
    "btv": "ban thuong vu", "bch": "ban chap hanh", "lhpn": "lien hiep phu nu", "lddl": "lien doan lao dong",
    "ttg": "thu tuong chinh phu", "ub": "uy ban", "vn": "viet nam", "tp": "thanh pho", "vh": "van hoa",
    "xh": "xa hoi", "ct": "chu tich", "hnd": "hoi nong dan", "vp": "van phong",
    "vpubnd": "van phong uy ban nhan dan", "tncs": "thanh nien cong san",
    # the chief of an office and a deputy stand for the office in a recipients list: "CVP, các PCVP
    # UBND tỉnh" is the provincial committee's office (five plans here)
    "cvp": "van phong", "pcvp": "van phong", "dbqh": "dai bieu quoc hoi", "ddbqh": "doan dai bieu quoc hoi",
}
# The titles of a body's head, folded, which stand before the body's name: "Chủ tịch UBND các xã",
# "Trưởng Ban Quản lý …", "Giám đốc Sở" (a heading naming the head gives the body as lead).
HEAD_TITLES = ("pho chu tich", "chu tich", "thu truong", "truong", "giam doc", "chanh van phong")
# Words that head an agency name not in the gazetteer (issue 4: recognised by their head noun).
HEAD_NOUNS = {
    "so": "department", "ban": "party", "phong": "department", "trung tam": "office", "tram": "health_facility",
    "hoi": "mass_organisation", "bao": "press", "dai": "press", "cong an": "police", "uy ban": "people_committee",
    "cuc": "department", "chi cuc": "department", "benh vien": "health_facility", "truong": "school",
}
