//! The lists that paged by OFFSET until issue 18 — parties, catalogue, outbox and the
//! referral queue — read by keyset: rows inserted between two page reads are neither
//! skipped nor repeated, the total is honest, every order the list offers is stable
//! (the id breaks ties), and receivables are read one page of policies at a time.
//! On SQLite and PostgreSQL.

use crate::helpers::{credit_code, TestApp};
use crate::on_both_stores;
use crate::underwriting::{book, first_year_quote};
use firstcover::domain::role::Role;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn ids(page: &Value, key: &str) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page: {page}"))
        .iter()
        .map(|p| p[key].as_i64().unwrap())
        .collect()
}

/// Read `first` page by page (following `next`), calling `between` before every read
/// after the first; every id seen, in order.
async fn walk<F, Fut>(
    app: &TestApp,
    token: &str,
    first: &str,
    key: &str,
    mut between: F,
) -> Vec<i64>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut page = app.get_json(first, token).await;
    assert!(
        page["prev"].is_null(),
        "nothing before the first page: {page}"
    );
    let mut seen = ids(&page, key);
    let sep = if first.contains('?') { '&' } else { '?' };
    let mut n = 0;
    while let Some(next) = page["next"].as_str().map(str::to_string) {
        between(n).await;
        n += 1;
        page = app
            .get_json(&format!("{first}{sep}after={next}"), token)
            .await;
        seen.extend(ids(&page, key));
        assert!(n < 50, "the walk ends");
    }
    seen
}

/// Every id of `before` seen exactly once, and no id seen twice.
fn each_once(seen: &[i64], before: &[i64], what: &str) {
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "{what}: a row twice: {seen:?}");
    for id in before {
        assert!(unique.contains(id), "{what}: row {id} skipped: {seen:?}");
    }
}

async fn maker(app: &TestApp, token: &str, name: &str, n: usize) -> i64 {
    let r = app
        .post_json(
            "/api/v1/parties",
            token,
            &json!({"kind": "maker", "name": name,
                    "credit_code": credit_code(&format!("91330110MA2H3K7{n:02}")),
                    "province": "浙江省"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{name}");
    let v: Value = r.json().await.unwrap();
    v["party_id"].as_i64().unwrap()
}

/// Parties by creation and by name, with makers added between page reads.
async fn party_pages_are_stable_while_parties_are_added(app: TestApp) {
    let uw = app
        .api_user("uw.party.pages", Role::Underwriter, None)
        .await;
    let mut before = Vec::new();
    for (n, name) in [
        "杭州甲机械有限公司",
        "宁波乙装备有限公司",
        "温州丙材料有限公司",
        "嘉兴丁重工有限公司",
        "湖州戊电气有限公司",
    ]
    .iter()
    .enumerate()
    {
        before.push(maker(&app, &uw, name, n).await);
    }
    let first = app
        .get_json("/api/v1/parties?kind=maker&limit=2", &uw)
        .await;
    assert_eq!(
        (first["total"].as_i64(), first["total_exact"].as_bool()),
        (Some(5), Some(true))
    );
    let added = std::cell::Cell::new(10);
    let seen = walk(
        &app,
        &uw,
        "/api/v1/parties?kind=maker&limit=2",
        "party_id",
        |_| {
            let n = added.get();
            added.set(n + 1);
            let (app, uw) = (&app, &uw);
            async move {
                maker(app, uw, &format!("新增{n}号制造有限公司"), n).await;
            }
        },
    )
    .await;
    each_once(&seen, &before, "parties by creation");
    let mut newest_first = before.clone();
    newest_first.reverse();
    assert_eq!(
        seen, newest_first,
        "the rows added later are newer than the cursor"
    );

    // By name, ascending: rows added between reads fall before or after the cursor,
    // and no original row is skipped or repeated either way.
    let seen = walk(
        &app,
        &uw,
        "/api/v1/parties?kind=maker&sort=name&order=asc&limit=2",
        "party_id",
        |_| {
            let n = added.get();
            added.set(n + 1);
            let (app, uw) = (&app, &uw);
            async move {
                // "阿" sorts before and "龙" after most names in both collations.
                let name = if n.is_multiple_of(2) {
                    format!("阿{n}有限公司")
                } else {
                    format!("龙{n}有限公司")
                };
                maker(app, uw, &name, n).await;
            }
        },
    )
    .await;
    each_once(&seen, &before, "parties by name");
    // Search by a substring of a Chinese name and by part of the credit code.
    let found = app
        .get_json(
            &format!(
                "/api/v1/parties?q={}",
                url::form_urlencoded::byte_serialize("乙装备".as_bytes()).collect::<String>()
            ),
            &uw,
        )
        .await;
    assert_eq!(ids(&found, "party_id"), vec![before[1]], "{found}");
    let code = credit_code("91330110MA2H3K702");
    let found = app
        .get_json(&format!("/api/v1/parties?q={}", &code[11..]), &uw)
        .await;
    assert_eq!(ids(&found, "party_id"), vec![before[2]], "{found}");
    let r = app.get("/api/v1/parties?sort=colour", &uw).await;
    assert_eq!(r.status(), 422, "an unknown order is refused");
    let r = app.get("/api/v1/parties?offset=50", &uw).await;
    assert_eq!(r.status(), 400, "offset paging is gone, not ignored");
}

async fn product(app: &TestApp, token: &str, maker: i64, name: &str, until: &str) -> i64 {
    let r = app
        .post_json(
            "/api/v1/catalogue",
            token,
            &json!({"maker_id": maker, "edition": "national-2024", "product_name": name,
                    "field": "高档数控机床", "unit_type": "key_component", "tier": "domestic",
                    "qualification_year": 2024, "valid_from": "2024-01-01", "valid_until": until}),
        )
        .await;
    assert_eq!(r.status(), 201, "{name}");
    let v: Value = r.json().await.unwrap();
    v["catalogue_item_id"].as_i64().unwrap()
}

/// Catalogue items by creation, by product and by validity (many share one date: the
/// id breaks the tie), with items added between page reads.
async fn catalogue_pages_are_stable_while_items_are_added(app: TestApp) {
    let b = book(&app, "uw.cat.pages").await;
    let mut before = vec![b.item];
    for (n, name) in ["数控转台", "精密导轨", "伺服电机", "滚珠丝杠"]
        .iter()
        .enumerate()
    {
        let until = if n % 2 == 0 {
            "2027-12-31"
        } else {
            "2028-12-31"
        };
        before.push(product(&app, &b.uw, b.maker, name, until).await);
    }
    let added = std::cell::Cell::new(0);
    for (sort, order) in [
        ("created", "desc"),
        ("product", "asc"),
        ("valid_until", "desc"),
    ] {
        let first = format!("/api/v1/catalogue?sort={sort}&order={order}&limit=2");
        let seen = walk(&app, &b.uw, &first, "catalogue_item_id", |_| {
            let n = added.get();
            added.set(n + 1);
            let (app, uw, maker) = (&app, &b.uw, b.maker);
            async move {
                product(app, uw, maker, &format!("新增部件{n}"), "2027-12-31").await;
            }
        })
        .await;
        each_once(&seen, &before, sort);
    }
    // One maker's, found by part of the product name.
    let page = app
        .get_json(
            &format!(
                "/api/v1/catalogue?maker_id={}&q={}",
                b.maker,
                url::form_urlencoded::byte_serialize("精密导".as_bytes()).collect::<String>()
            ),
            &b.uw,
        )
        .await;
    assert_eq!(ids(&page, "catalogue_item_id"), vec![before[2]], "{page}");
    assert_eq!(page["total"], 1);
}

async fn queue_mail(app: &TestApp, key: &str, status: &str) {
    app.execute(&format!(
        "insert into outbox (kind, dedupe_key, payload_json, status, attempts, next_attempt_at, created_at) \
         values ('mail', '{key}', '{{}}', '{status}', 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
    ))
    .await;
}

/// The outbox list, newest first and oldest first, one status, with deliveries queued
/// between page reads; the page shows the honest total and links by cursor.
async fn outbox_pages_are_stable_while_deliveries_are_queued(app: TestApp) {
    let admin = app.api_user("ops.pages", Role::Admin, None).await;
    for n in 0..5 {
        queue_mail(&app, &format!("page-test-{n}"), "dead").await;
    }
    let before = ids(
        &app.get_json("/api/v1/outbox?status=dead&limit=500", &admin)
            .await,
        "outbox_id",
    );
    assert_eq!(before.len(), 5);
    let added = std::cell::Cell::new(0);
    for order in ["desc", "asc"] {
        let first = format!("/api/v1/outbox?status=dead&order={order}&limit=2");
        let seen = walk(&app, &admin, &first, "outbox_id", |_| {
            let n = added.get();
            added.set(n + 1);
            let app = &app;
            async move {
                queue_mail(app, &format!("page-added-{n}"), "dead").await;
                queue_mail(app, &format!("page-other-{n}"), "delivered").await;
            }
        })
        .await;
        each_once(&seen, &before, order);
        if order == "desc" {
            assert_eq!(
                seen, before,
                "newest first, the added ones newer than the cursor"
            );
        }
    }
    let page = app
        .get_json("/api/v1/outbox?status=delivered&kind=mail", &admin)
        .await;
    assert_eq!(page["total"].as_i64(), Some(added.get()), "{page}");
    let page = app.get_json("/api/v1/outbox?kind=http", &admin).await;
    assert_eq!(page["total"], 0);
}

async fn refer(app: &TestApp, policy: i64) {
    app.execute(&format!(
        "insert into referral (policy_id, reasons_json, requested_by, requested_at) \
         select {policy}, '[]', min(user_id), '2026-01-01T00:00:00Z' from app_user"
    ))
    .await;
}

/// The referral queue, oldest first, with referrals opened between page reads.
async fn referral_pages_are_stable_while_referrals_arrive(app: TestApp) {
    let b = book(&app, "uw.ref.pages").await;
    let r = app
        .post_json("/api/v1/quotes", &b.uw, &first_year_quote(&b, "2000000.00"))
        .await;
    assert_eq!(r.status(), 201);
    let quote: Value = r.json().await.unwrap();
    let policy = quote["policy_id"].as_i64().unwrap();
    for _ in 0..5 {
        refer(&app, policy).await;
    }
    let all = app.get_json("/api/v1/referrals?limit=500", &b.uw).await;
    let before = ids(&all, "referral_id");
    assert_eq!((all["total"].as_i64(), before.len()), (Some(5), 5));
    let seen = walk(
        &app,
        &b.uw,
        "/api/v1/referrals?limit=2",
        "referral_id",
        |_| refer(&app, policy),
    )
    .await;
    each_once(&seen, &before, "referrals");
    assert_eq!(&seen[..5], &before[..], "oldest first");
    let now = app.get_json("/api/v1/referrals?limit=500", &b.uw).await;
    assert_eq!(
        seen,
        ids(&now, "referral_id"),
        "oldest first, every one that arrived before the last read at the end"
    );
    assert!(seen.len() > 5);
    let mine = app
        .get_json(&format!("/api/v1/referrals?maker_id={}", b.maker), &b.uw)
        .await;
    assert_eq!(mine["total"].as_i64(), Some(seen.len() as i64));
    let other = app
        .get_json("/api/v1/referrals?maker_id=999999", &b.uw)
        .await;
    assert_eq!(other["total"], 0);
}

on_both_stores!(
    party_pages_are_stable_while_parties_are_added,
    catalogue_pages_are_stable_while_items_are_added,
    outbox_pages_are_stable_while_deliveries_are_queued,
    referral_pages_are_stable_while_referrals_arrive,
);
