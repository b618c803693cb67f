"""导入申报表 with the unit's stamped scan: the scan is a real fact of the import.

The demo campaign follows the 大祥区 rules, which require the stamped scan. An emailed
spreadsheet cannot carry the seal, so the office attaches the scan that came with it;
without one (and none uploaded by the unit) the import is refused like a submission.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import actor_for
from tests.sample_files import PDF
from themeday.core.domain import SYSTEM_AUDITOR, ValidationError
from themeday.formats import exports
from themeday.formats.uploads import FileStore
from themeday.services import declarations

SCAN_RULE = "请上传加盖公章的申报表电子扫描件。"


@pytest.fixture
def emailed(demo, office, tmp_path):
    """罗市镇 (unit3, not yet declared): its 申报表 as the office receives it by email."""
    campaign = demo.catalogue.current_campaign(office)
    unit3 = actor_for(demo, "unit3")
    unit = demo.catalogue.get_unit(unit3, unit3.unit_id)
    (approved,) = demo.declarations.list_declarations(actor_for(demo, "unit1"), campaign.id)
    themes = [
        replace(t, unit_id=unit.id) for t in demo.declarations.list_themes(office, approved.id)
    ]
    data = exports.declaration_xlsx(campaign, unit, None, themes)
    return campaign, unit, data, FileStore(tmp_path / "uploads")


def test_an_import_without_the_required_scan_is_refused(demo, office, emailed):
    campaign, unit, data, store = emailed
    before = len(demo.oversight.list_audit(SYSTEM_AUDITOR, 10_000))
    with pytest.raises(ValidationError) as refused:
        declarations.import_file(demo, office, campaign, data, store=store)
    assert refused.value.messages == [SCAN_RULE]
    assert demo.declarations.declaration_for(office, campaign.id, unit.id) is None
    assert len(demo.oversight.list_audit(SYSTEM_AUDITOR, 10_000)) == before


def test_the_scan_imported_with_the_file_satisfies_the_rule(demo, office, emailed):
    campaign, unit, data, store = emailed
    result = declarations.import_file(
        demo, office, campaign, data, scan=PDF, scan_name="罗市镇申报表（盖章）.pdf", store=store
    )
    assert result.scan_attached
    imported = demo.declarations.get_declaration(office, result.declaration_id)
    assert imported.status == "submitted" and imported.scan_attachment_id is not None
    content, name, fmt = declarations.read_attachment(
        demo, office, imported.scan_attachment_id, store
    )
    assert (content, name, fmt) == (PDF, "罗市镇申报表（盖章）.pdf", "pdf")
    assert declarations.problems_of(demo, office, campaign, imported) == []
    # so the office approves it at a plain click
    declarations.review(demo, office, campaign, imported.id, imported.version, approve=True)
    assert demo.declarations.get_declaration(office, imported.id).status == "approved"
    actions = [e.action for e in demo.oversight.list_audit(SYSTEM_AUDITOR, 5)]
    assert "upload" in actions and "import" in actions


def test_a_fake_scan_is_refused_and_nothing_is_imported(demo, office, emailed):
    campaign, unit, data, store = emailed
    with pytest.raises(ValidationError, match="不是"):
        declarations.import_file(
            demo, office, campaign, data, scan=b"MZ\x90\x00" * 10, scan_name="盖章.pdf", store=store
        )
    assert demo.declarations.declaration_for(office, campaign.id, unit.id) is None
    assert not store.root.exists() or not any(p.is_file() for p in store.root.rglob("*"))


def test_a_scan_the_unit_already_uploaded_to_its_draft_counts(demo, office, emailed):
    campaign, unit, data, store = emailed
    unit3 = actor_for(demo, "unit3")
    draft = demo.declarations.save_declaration(
        unit3,
        campaign.id,
        unit.id,
        0,
        contact_person="王建华",
        contact_phone="0739-5321103",
        themes=[],
    )
    declarations.upload_scan(demo, unit3, draft, PDF, "scan.pdf", store)
    result = declarations.import_file(demo, unit3, campaign, data, store=store)
    assert result.declaration_id == draft and not result.scan_attached
    imported = demo.declarations.get_declaration(office, draft)
    assert imported.status == "submitted"
    assert declarations.problems_of(demo, office, campaign, imported) == []
