"""seed-demo: a believable trading company in Hangzhou, with Chinese and English names."""
from __future__ import annotations

from sqlalchemy import func, select

from shared.company import services as company_services
from shared.db import transactional
from shared.extensions import db
from shared.partners import services as partner_services
from shared.partners.models import Partner
from shared.products import services as product_services
from shared.products.models import Product
from shared.reference import demo_steps
from shared.users import services as user_services

DEMO_PASSWORD = "demo1234"
DEMO_USERS = [
    ("admin@example.com", "Admin 管理员", ["admin"]),
    ("sales@example.com", "Li Na 李娜", ["sales"]),
    ("warehouse@example.com", "Wang Qiang 王强", ["warehouse"]),
    ("finance@example.com", "Chen Jing 陈静", ["finance"]),
    ("support@example.com", "Zhao Min 赵敏", ["support"]),
]

COMPANY = {
    "name": "杭州西湖贸易有限公司 Westlake Trading Co., Ltd.",
    "street": "西湖区文三路 90 号", "city": "杭州 Hangzhou", "postal_code": "310012",
    "country": "中国 China", "tax_id": "91330106MA2B1C2D3E", "currency": "CNY",
    "bank_details": "中国工商银行杭州文三路支行 ICBC Hangzhou Wensan Road Branch\n"
                    "账号 Account 1202 0212 0900 1234 567",
    "invoice_footer": "感谢您的惠顾 Thank you for your business.", "locale": "zh",
}

CUSTOMERS = [
    dict(name="上海明辉电子有限公司", email="purchase@minghui-sh.cn", phone="+86 21 6234 5678",
         tax_id="91310115MA1K3X4Y5Z", street="浦东新区张江路 188 号", city="上海",
         postal_code="201203", country="中国", credit_limit="200000.00", locale="zh"),
    dict(name="深圳华强科技股份公司", email="buyer@hqtech.com.cn", phone="+86 755 8888 1234",
         tax_id="91440300MA5F6G7H8J", street="福田区华强北路 1002 号", city="深圳",
         postal_code="518031", country="中国", credit_limit="150000.00", locale="zh"),
    dict(name="北京远航办公用品", kind="company", email="order@yuanhang-bj.cn",
         phone="+86 10 8765 4321", street="朝阳区建国路 88 号", city="北京",
         postal_code="100022", country="中国", payment_term_days=15, locale="zh"),
    dict(name="Harbor Lights Retail Ltd", email="ap@harborlights.co.uk", phone="+44 20 7946 0018",
         tax_id="GB 123 4567 89", street="12 Wharf Road", city="London", postal_code="N1 7GR",
         country="United Kingdom", payment_term_days=45, credit_limit="50000.00", locale="en"),
    dict(name="Sunrise Hotels Singapore", email="procurement@sunrisehotels.sg",
         phone="+65 6123 4567", street="80 Robinson Road", city="Singapore",
         postal_code="068898", country="Singapore", locale="en"),
    dict(name="张伟", kind="person", email="zhangwei88@example.cn", phone="138 0013 8000",
         street="滨江区江南大道 3588 号", city="杭州", country="中国", payment_term_days=0),
    dict(name="Maria Rossi", kind="person", email="maria.rossi@example.it",
         phone="+39 06 1234 5678",
         street="Via Nazionale 45", city="Roma", postal_code="00184", country="Italy",
         payment_term_days=0, locale="en"),
    dict(name="广州天河酒店管理有限公司 Tianhe Hospitality", email="caigou@tianhe-hotel.cn",
         phone="+86 20 3888 6666", tax_id="91440106MA9Q8R7S6T", street="天河路 385 号",
         city="广州 Guangzhou", postal_code="510620", country="中国"),
]

SUPPLIERS = [
    dict(name="宁波海天塑料制品厂", email="sales@haitian-nb.cn", phone="+86 574 8765 0000",
         tax_id="91330200MA2H3J4K5L", street="北仑区新碶街道", city="宁波", country="中国",
         is_customer=False, is_supplier=True, payment_term_days=60),
    dict(name="苏州精工五金有限公司", email="export@jinggong-sz.cn", phone="+86 512 6666 2222",
         tax_id="91320500MA7N8P9Q0R", street="工业园区星湖街 328 号", city="苏州", country="中国",
         is_customer=False, is_supplier=True, payment_term_days=45),
    dict(name="Nordic Paper AB", email="orders@nordicpaper.se", phone="+46 8 123 456 00",
         tax_id="SE556677889901", street="Sveavägen 20", city="Stockholm",
         postal_code="111 57", country="Sweden", is_customer=False, is_supplier=True),
    dict(name="义乌小商品供应链 Yiwu Supply Chain", email="hello@yiwu-supply.cn",
         phone="+86 579 8555 0101", city="义乌 Yiwu", country="中国", is_customer=True,
         is_supplier=True, payment_term_days=30),
]

# sku, name, type, list price, cost, reorder point, reorder qty, supplier index
PRODUCTS = [
    ("LAMP-DESK-01", "LED 护眼台灯 LED Desk Lamp", "stockable", "199.00", "92.50", "20", "50", 0),
    ("CHAIR-ERG-02", "人体工学办公椅 Ergonomic Office Chair", "stockable", "1299.00", "640.00",
     "5", "10", 1),
    ("PAPER-A4-500", "A4 复印纸 500 张 A4 Copy Paper (500 sheets)", "stockable", "32.00",
     "18.20", "100", "400", 2),
    ("BOX-STOR-M", "收纳箱 中号 Storage Box (M)", "stockable", "45.00", "21.00", "30", "120", 0),
    ("PEN-GEL-BK12", "黑色中性笔 12 支 Gel Pens Black (12)", "stockable", "24.00", "9.60",
     "50", "200", 3),
    ("KETTLE-17", "电热水壶 1.7L Electric Kettle", "stockable", "159.00", "76.00", "10", "40", 3),
    ("MUG-CER-350", "陶瓷马克杯 Ceramic Mug 350 ml", "stockable", "29.00", "11.00", "40", "150",
     3),
    ("SHELF-STEEL-5", "五层钢制货架 5-Tier Steel Shelf", "stockable", "480.00", "250.00", "4",
     "8", 1),
    ("TAPE-PACK-48", "封箱胶带 48mm Packing Tape", "consumable", "6.50", "2.80", None, "0", 0),
    ("SVC-INSTALL", "上门安装服务 On-site Installation", "service", "300.00", "0", None, "0",
     None),
    ("SVC-WARRANTY-1Y", "延保一年 Extended Warranty 1 Year", "service", "99.00", "0", None, "0",
     None),
]


def ean13(first12: str) -> str:
    """Add the EAN-13 check digit, so the demo barcodes scan like real ones."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


@transactional
def seed_demo() -> bool:
    """Run every area's demo step (in wiring order) on a database without business data;
    False, and nothing written, when it has some."""
    if database_has_business_data():
        return False
    for step in demo_steps():
        step()
    return True


def database_has_business_data() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Partner))
                or db.session.scalar(select(func.count()).select_from(Product)))


def seed_platform() -> None:
    for email, name, roles in DEMO_USERS:
        if user_services.find_user_by_email(email) is None:
            user_services.create_user({"email": email, "name": name, "roles": roles,
                                       "password": DEMO_PASSWORD})
    company_services.update_company(COMPANY)
    for data in CUSTOMERS + SUPPLIERS:
        partner_services.create_partner(data)
    suppliers = db.session.scalars(select(Partner).where(Partner.is_supplier.is_(True))
                                   .order_by(Partner.id)).all()
    for index, (sku, name, type_, price, cost, point, qty, supplier) in enumerate(PRODUCTS):
        product_services.create_product({
            "sku": sku, "name": name, "type": type_, "list_price": price, "cost_price": cost,
            "reorder_point": point, "reorder_qty": qty,
            "barcode": None if type_ == "service" else ean13(f"690123{index + 1:06d}"),
            "default_supplier_id": suppliers[supplier].id if supplier is not None else None,
            "tax_rate": "6.00" if type_ == "service" else None,
        })
