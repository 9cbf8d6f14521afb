//! The plain-language conclusion of a rate indication, in English and Chinese, for the
//! regulator's report and the mail that carries it. Kept apart from the arithmetic so the
//! wording can change without touching the formulas.

use super::indication::{BandPosition, Decision, Experience, Indication, RateTargets};
use crate::domain::money::Rate;

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn signed_pct(x: f64) -> String {
    format!("{:+.1}%", x * 100.0)
}

fn rate_pct(r: Rate) -> String {
    format!("{}%", r.as_percent())
}

pub(super) fn conclusion_en(ind: &Indication, exp: &Experience, t: &RateTargets) -> String {
    let band = format!(
        "Combined ratio {} is {} the target band {}–{}.",
        pct(ind.combined_ratio),
        match ind.band_position {
            BandPosition::Below => "below",
            BandPosition::Within => "within",
            BandPosition::Above => "above",
        },
        pct(t.combined_band_low),
        pct(t.combined_band_high)
    );
    let basis = format!(
        "indicated {}, credibility Z = {:.2} on {} claims",
        signed_pct(ind.indicated_change),
        ind.credibility,
        exp.claim_count
    );
    let action = match ind.decision {
        Decision::Keep => format!(
            "Keep the current rate: the credibility-weighted change {} ({basis}) is within the \
             ±{} materiality threshold.",
            signed_pct(ind.weighted_change),
            pct(t.materiality)
        ),
        Decision::Raise | Decision::Lower => format!(
            "{} the rate by {} ({basis}).",
            if ind.decision == Decision::Raise {
                "Raise"
            } else {
                "Lower"
            },
            pct(ind.weighted_change.abs())
        ),
    };
    let rate = match (ind.decision, exp.current_rate, ind.proposed_rate) {
        (Decision::Keep, _, _) | (_, None, _) | (_, _, None) => String::new(),
        (_, Some(from), Some(to)) => format!(" Rate {} → {}.", rate_pct(from), rate_pct(to)),
    };
    format!("{action} {band}{rate}")
}

pub(super) fn conclusion_zh(ind: &Indication, exp: &Experience, t: &RateTargets) -> String {
    let band = format!(
        "综合成本率{}，{}目标区间{}–{}。",
        pct(ind.combined_ratio),
        match ind.band_position {
            BandPosition::Below => "低于",
            BandPosition::Within => "处于",
            BandPosition::Above => "高于",
        },
        pct(t.combined_band_low),
        pct(t.combined_band_high)
    );
    let basis = format!(
        "指示调整{}，信度Z = {:.2}，赔案{}件",
        signed_pct(ind.indicated_change),
        ind.credibility,
        exp.claim_count
    );
    let action = match ind.decision {
        Decision::Keep => format!(
            "建议维持现行费率：信度加权调整幅度{}（{basis}），未超过±{}的调整阈值。",
            signed_pct(ind.weighted_change),
            pct(t.materiality)
        ),
        Decision::Raise | Decision::Lower => format!(
            "建议{}费率{}（{basis}）。",
            if ind.decision == Decision::Raise {
                "上调"
            } else {
                "下调"
            },
            pct(ind.weighted_change.abs())
        ),
    };
    let rate = match (ind.decision, exp.current_rate, ind.proposed_rate) {
        (Decision::Keep, _, _) | (_, None, _) | (_, _, None) => String::new(),
        (_, Some(from), Some(to)) => format!("费率由{}调整为{}。", rate_pct(from), rate_pct(to)),
    };
    format!("{action}{band}{rate}")
}
