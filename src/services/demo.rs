//! `serve --demo`: a small, realistic data set so a newcomer sees a living system.
//! Loaded once: nothing happens when parties already exist.

use super::catalogue::{self, CatalogueInput};
use super::parties;
use super::users::{self, NewUserInput};
use super::{Actor, ServiceResult};
use crate::domain::catalogue::{Tier, UnitType};
use crate::domain::credit_code::check_character;
use crate::domain::party::{PartyInput, PartyKind, Relation};
use crate::domain::role::Role;
use crate::services::Ctx;
use chrono::NaiveDate;

/// The password every demo account gets (printed by `serve --demo`).
pub const DEMO_PASSWORD: &str = "demo-password-2025";

fn code(body: &str) -> String {
    let check = check_character(body).unwrap_or('0');
    format!("{body}{check}")
}

fn party(
    kind: PartyKind,
    name: &str,
    body: &str,
    region: (&str, &str, &str),
    state_owned: bool,
) -> PartyInput {
    PartyInput {
        kind,
        name: name.into(),
        credit_code: code(body),
        province: region.0.into(),
        city: region.1.into(),
        county: region.2.into(),
        state_owned,
        contact_email: String::new(),
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Returns false when data was already there.
#[tracing::instrument(skip_all)]
pub async fn load(ctx: &Ctx<'_>) -> ServiceResult<bool> {
    let system = Actor::system();
    let total = parties::list(ctx, &system, parties::PartyListQuery::of_kind(None, 1))
        .await?
        .total;
    if total.count > 0 {
        return Ok(false);
    }
    let hz = ("浙江省", "杭州市", "余杭区");
    let nb = ("浙江省", "宁波市", "北仑区");
    let ty = ("山西省", "太原市", "小店区");
    let maker_a = parties::create(
        ctx,
        &system,
        party(
            PartyKind::Maker,
            "杭州中恒精密机床有限公司",
            "91330110MA2H3K7P0",
            hz,
            false,
        ),
    )
    .await?;
    let maker_b = parties::create(
        ctx,
        &system,
        party(
            PartyKind::Maker,
            "宁波海工智能装备股份有限公司",
            "91330206MA2CL4X82",
            nb,
            false,
        ),
    )
    .await?;
    let maker_c = parties::create(
        ctx,
        &system,
        party(
            PartyKind::Maker,
            "山西晋材新型碳纤维有限公司",
            "91140100MA0K9T3Q5",
            ty,
            true,
        ),
    )
    .await?;
    parties::create(
        ctx,
        &system,
        party(
            PartyKind::User,
            "浙江东方汽车零部件有限公司",
            "91330100MA27Y0B6X",
            hz,
            false,
        ),
    )
    .await?;
    parties::create(
        ctx,
        &system,
        party(
            PartyKind::User,
            "国网浙江电力检修公司",
            "91330000MA2GJ8R1C",
            hz,
            true,
        ),
    )
    .await?;
    let trader = parties::create(
        ctx,
        &system,
        party(
            PartyKind::User,
            "太原鑫达材料贸易有限公司",
            "91140105MA0H2N7L4",
            ty,
            false,
        ),
    )
    .await?;
    parties::create(
        ctx,
        &system,
        party(
            PartyKind::Intermediary,
            "浙江远航融资租赁有限公司",
            "91330100MA28F3U9T",
            hz,
            false,
        ),
    )
    .await?;
    parties::add_relation(
        ctx,
        &system,
        maker_c.party_id,
        trader.party_id,
        Relation::Trader,
        "材料经销商",
    )
    .await?;
    let items = [
        (
            maker_a.party_id,
            "national-2024",
            "五轴联动数控加工中心",
            "高档数控机床",
            UnitType::CompleteMachine,
            Tier::Domestic,
            2024,
        ),
        (
            maker_a.party_id,
            "zhejiang-2025",
            "精密主轴单元",
            "高档数控机床",
            UnitType::KeyComponent,
            Tier::Provincial,
            2025,
        ),
        (
            maker_b.party_id,
            "national-2024",
            "海上风电安装平台升降系统",
            "海洋工程装备",
            UnitType::CoreSystem,
            Tier::International,
            2024,
        ),
        (
            maker_c.party_id,
            "shanxi-2023",
            "T800级碳纤维预浸料",
            "先进基础材料",
            UnitType::NewMaterial,
            Tier::Domestic,
            2023,
        ),
    ];
    for (maker_id, edition, name, field, unit_type, tier, year) in items {
        catalogue::create(
            ctx,
            &system,
            CatalogueInput {
                maker_id,
                edition: edition.into(),
                product_name: name.into(),
                field: field.into(),
                unit_type,
                tier,
                qualification_year: year,
                valid_from: date(year, 9, 1),
                valid_until: None,
            },
        )
        .await?;
    }
    let people = [
        ("uw.li", "李核保", Role::Underwriter, None),
        ("uw.chen", "陈高级核保", Role::SeniorUnderwriter, None),
        ("head.zhang", "张分公司负责人", Role::BranchHead, None),
        ("fin.wang", "王财务", Role::Finance, None),
        ("claims.zhao", "赵理赔", Role::ClaimsHandler, None),
        ("claims.sun", "孙理赔主管", Role::ClaimsManager, None),
        ("act.zhou", "周精算", Role::Actuary, None),
        ("audit.wu", "吴稽核", Role::Auditor, None),
        (
            "client.zhongheng",
            "中恒客户",
            Role::Client,
            Some(maker_a.party_id),
        ),
    ];
    for (username, name, role, maker_id) in people {
        users::create(
            ctx,
            &system,
            NewUserInput {
                username: username.into(),
                display_name: name.into(),
                email: format!("{username}@example.com"),
                password: DEMO_PASSWORD.into(),
                role,
                maker_id,
            },
        )
        .await?;
    }
    Ok(true)
}
