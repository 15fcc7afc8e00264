"""seed-demo: leads, a live pipeline and activities for the demo sales user (Li Na 李娜)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from crm.activities import services as activities
from crm.leads import services as leads
from crm.pipeline import services as pipeline
from shared.dates import company_today
from shared.extensions import db
from shared.partners.models import Partner
from shared.users import services as user_services

# title, contact, company, email, phone, source, expected revenue, status
LEADS = [
    ("写字楼办公椅采购 Office chairs for new floor", "王芳", "杭州云帆科技有限公司",
     "wangfang@yunfan-tech.cn", "+86 571 8765 1201", "web", "38000.00", "new"),
    ("酒店客房台灯 Hotel room lamps", "Kevin Tan", "Marina Bay Suites", "kevin@mbsuites.sg",
     "+65 6789 1234", "event", "52000.00", "contacted"),
    ("Annual paper supply", "Sarah Jones", "Thames Legal LLP", "office@thameslegal.co.uk",
     "+44 20 7946 0301", "referral", "12500.00", "qualified"),
    ("学校教室显示器 Classroom monitors", "李强", "宁波实验学校", "liqiang@nbsy.edu.cn",
     "0574 8800 1234", "cold_call", "96000.00", "new"),
    ("展会赠品马克杯 Trade fair mugs", "陈晓", "苏州创意礼品", "chenxiao@sz-gifts.cn",
     "138 1234 5678", "event", "8600.00", "contacted"),
    ("Warehouse shelving", "Marco Bianchi", "Bianchi Logistica", "marco@bianchilog.it",
     "+39 02 1234 5678", "partner", "27000.00", "disqualified"),
    ("前台收纳箱 Reception storage", "赵丽", "上海明辉电子有限公司", "purchase@minghui-sh.cn",
     "+86 21 6234 5678", "web", "4200.00", "qualified"),
]

# title, partner email, stage, expected revenue, days to close, outcome
OPPORTUNITIES = [
    ("华强年度办公用品框架 Annual office supplies", "buyer@hqtech.com.cn", "Negotiation",
     "180000.00", 20, None),
    ("Harbor Lights store fit-out lamps", "ap@harborlights.co.uk", "Proposal", "64500.00", 35,
     None),
    ("远航打印纸季度订单 Quarterly paper order", "order@yuanhang-bj.cn", "Qualified", "22800.00",
     45, None),
    ("Sunrise Hotels kettles and mugs", "procurement@sunrisehotels.sg", "New", "31000.00", 60,
     None),
    ("天河酒店大堂家具 Lobby furniture", "caigou@tianhe-hotel.cn", "Proposal", "126000.00", 30,
     None),
    ("张伟家庭办公套装 Home office set", "zhangwei88@example.cn", "New", "6800.00", 15, None),
    ("Maria Rossi studio chairs", "maria.rossi@example.it", "Qualified", "3900.00", 25, None),
    ("明辉电子显示器升级 Monitor upgrade", "purchase@minghui-sh.cn", "Negotiation", "88000.00",
     10, None),
    ("华强展厅台灯 Showroom lamps", "buyer@hqtech.com.cn", "Won", "15600.00", -5, "won"),
    ("Harbor Lights Q3 paper", "ap@harborlights.co.uk", "Lost", "9800.00", -12, "lost"),
]

ACTIVITIES = [  # kind, subject, days from today (negative: overdue), target
    ("call", "回电确认椅子颜色 Call back about chair colours", -2, "lead"),
    ("meeting", "Site visit at Marina Bay Suites", 3, "lead"),
    ("email", "发送报价单 Send the quotation", -1, "opportunity"),
    ("task", "Prepare samples for Harbor Lights", 1, "opportunity"),
    ("call", "Follow up on the lobby furniture proposal", 0, "opportunity"),
    ("meeting", "年度框架谈判 Framework negotiation", 5, "opportunity"),
]

LOST_REASONS = ["价格太高 Price too high", "选择了竞争对手 Chose a competitor",
                "没有预算 No budget", "时间不合适 Bad timing"]


def seed_crm() -> None:
    sales = user_services.find_user_by_email("sales@example.com")
    owner_id = sales.id if sales else None
    today = company_today()
    for reason in LOST_REASONS:
        pipeline.create_lost_reason({"name": reason})
    made_leads = [_lead(row, owner_id) for row in LEADS]
    stages = {stage.name: stage for stage in pipeline.stages()}
    made_opportunities = []
    for title, email, stage, revenue, days, outcome in OPPORTUNITIES:
        partner_id = db.session.scalar(select(Partner.id).where(Partner.email_key == email))
        opportunity = pipeline.create_opportunity(
            {"title": title, "partner_id": partner_id, "expected_revenue": revenue,
             "expected_close_date": today + timedelta(days=days), "owner_id": owner_id},
            user_id=owner_id)
        if outcome == "won":
            pipeline.win_opportunity(opportunity.id, user_id=owner_id)
        elif outcome == "lost":
            pipeline.lose_opportunity(opportunity.id, {"reason": LOST_REASONS[1]},
                                      user_id=owner_id)
        elif stages[stage].id != opportunity.stage_id:
            pipeline.move_opportunity(opportunity.id, {"stage_id": stages[stage].id},
                                      user_id=owner_id)
        made_opportunities.append(opportunity)
    converted = leads.convert_lead(made_leads[2].id, {}, user_id=owner_id)
    pipeline.move_opportunity(converted.opportunity_id, {"stage_id": stages["Qualified"].id},
                              user_id=owner_id)
    targets = {"lead": [made_leads[0], made_leads[1]], "opportunity": made_opportunities}
    for index, (kind, subject, days, target) in enumerate(ACTIVITIES):
        record = targets[target][index % len(targets[target])]
        activities.create_activity({"kind": kind, "subject": subject,
                                    "due_date": today + timedelta(days=days),
                                    f"{target}_id": record.id}, user_id=owner_id)


def _lead(row: tuple, owner_id: int | None):
    title, contact, company, email, phone, source, revenue, status = row
    lead = leads.create_lead({"title": title, "contact_name": contact, "company_name": company,
                              "email": email, "phone": phone, "source": source,
                              "expected_revenue": revenue, "owner_id": owner_id},
                             user_id=owner_id)
    if status == "disqualified":
        leads.disqualify_lead(lead.id, {"reason": "只需要一次性小额采购 One-off tiny order"})
    elif status != "new":
        leads.set_lead_status(lead.id, status)
    return lead
