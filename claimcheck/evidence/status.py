"""What the evidence says about one intervention for one condition: the lookup with its
fall-back rules, and the plain-language sentences that report it."""
from __future__ import annotations

from ..types import EvidenceStatus
from .data import Data
from .records import GENERIC, UNKNOWN, Entry


def name(d: Data, term_id: str) -> str:
    """Display name of a condition or intervention id."""
    term = d.conditions.terms.get(term_id) or d.interventions.terms.get(term_id)
    return term.name if term else ("this condition" if term_id == UNKNOWN else term_id)


def resolve(d: Data, intervention: str, condition: str) -> Entry | None:
    """The entry for a pair: own and broader pairs, product defaults, generic, catch-all."""
    if intervention not in d.interventions.terms:
        return None
    ichain = d.interventions.chain(intervention)
    cchain = d.conditions.chain(condition)
    for i in ichain:
        for c in cchain:
            entry = d.statuses.get((i, c))
            # "Established" never passes down to a narrower or different product.
            if entry is not None and not (i != intervention and entry.level == "established"):
                return entry
    for i in ichain:
        if i in d.defaults and d.defaults[i].precedes_generic:
            return d.defaults[i]
    if d.interventions.terms[intervention].clinic_product and GENERIC not in ichain:
        for c in cchain:
            entry = d.statuses.get((GENERIC, c))
            if entry is not None and entry.level != "established":
                return entry
    for i in ichain:
        if i in d.defaults:
            return d.defaults[i]
    return d.defaults["*"]


def status_of(d: Data, entry: Entry | None, intervention: str, condition: str) -> EvidenceStatus:
    """The status an entry gives a pair (placeholders filled in); 'unknown' without one."""
    if entry is None:
        return EvidenceStatus(intervention, condition, UNKNOWN, "",
                              "The evidence base has no entry for this treatment.", ())
    summary = entry.summary.replace("{condition}", name(d, condition)).replace(
        "{intervention}", name(d, intervention))
    return EvidenceStatus(intervention, condition, entry.level, entry.population, summary,
                          entry.sources)


def pair_status(d: Data, intervention: str, condition: str) -> EvidenceStatus:
    """What the evidence says about intervention for condition ('unknown' if not known)."""
    return status_of(d, resolve(d, intervention, condition), intervention, condition)


def lists(d: Data, st: EvidenceStatus) -> str:
    """"The evidence base lists X for Y as <level>" (no full stop)."""
    return (f"The evidence base lists {name(d, st.intervention)} for "
            f"{name(d, st.condition)} as {st.level}")


def describe(d: Data, st: EvidenceStatus) -> str:
    """The level and the summary, in one sentence."""
    return f"{lists(d, st)}: {st.summary}"


def established_note(d: Data, st: EvidenceStatus) -> str:
    """Why an established pair is fine: for whom, and on what sources."""
    return f"{lists(d, st)} for {st.population} ({', '.join(st.sources)})."
