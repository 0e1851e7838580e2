"""/next and /progress through the Service: the plan text, the road picture, the target choice
and the terminal chat saving the picture."""

from __future__ import annotations

import io
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image as PILImage

from bot.console import Console
from bot.core import callbacks
from bot.core.models import Chat, KnowledgeBase, Reply, User
from bot.core.service import Service
from bot.core.storage import SqliteStorage

REPO = Path(__file__).resolve().parents[2]

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ANNA = User(id=101, name="Anna")
PRIVATE = Chat(id=101)
GROUP = Chat(id=-500, kind="group", title="Batch 2027")
MISSED_2027 = {
    "stage": "graduate",
    "graduation_year": "2024",
    "step1": "passed",
    "step2ck": "not-started",
    "english": "passed",
    "ecfmg_registered": "yes",
    "usce_months": "3",
    "us_lors": "3",
    "needs_visa": "no",
    "target_match_year": "2027",
}


@pytest.fixture
async def svc(tmp_path: Path, repo_knowledge: KnowledgeBase) -> AsyncIterator[Service]:
    storage = await SqliteStorage.open(tmp_path / "db.sqlite3")
    yield Service(repo_knowledge, storage, lambda: NOW)
    await storage.close()


async def set_profile(svc: Service, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        await svc.profile(ANNA, PRIVATE, ["set", name, value])


async def plan(svc: Service) -> Reply:
    """/next, skipping whatever the dialog still asks, until the plan shows."""
    reply = await svc.next(ANNA, PRIVATE)
    while reply.title != "Your plan, most urgent first":
        skip = next(b for row in reply.buttons for b in row if b.label.startswith("Skip"))
        await svc.button(ANNA, PRIVATE, skip.data or "")
        reply = await svc.next(ANNA, PRIVATE)
    return reply


def png_size(content: bytes) -> tuple[int, int]:
    with PILImage.open(io.BytesIO(content)) as image:
        assert image.format == "PNG"
        return image.size


async def test_plan_reply_has_the_road_picture_and_a_three_action_caption(svc: Service) -> None:
    await set_profile(svc, MISSED_2027)
    reply = await plan(svc)
    assert reply.image is not None and png_size(reply.image.content)[0] == 1080
    caption = reply.image.caption
    assert caption.startswith("Next:\n1. Prepare for USMLE Step 2 CK (by 1 Sep 2027)")
    assert "3. " in caption and "4. " not in caption and len(caption) <= 1024
    assert "This plan is for the 2028 Match" in reply.text


async def test_missed_target_offers_move_and_keep(svc: Service) -> None:
    await set_profile(svc, MISSED_2027)
    reply = await plan(svc)
    data = [b.data for row in reply.buttons for b in row]
    assert callbacks.encode("nt", "move", 2028) in data
    assert callbacks.encode("nt", "keep", 2027) in data

    kept = await svc.button(ANNA, PRIVATE, callbacks.encode("nt", "keep", 2027))
    assert "You kept it as your target" in kept.text
    assert (await svc.storage.get_profile(ANNA.id)).target_match_year == 2027

    moved = await svc.button(ANNA, PRIVATE, callbacks.encode("nt", "move", 2028))
    assert moved.notice == "Your target is now the 2028 Match."
    assert (await svc.storage.get_profile(ANNA.id)).target_match_year == 2028
    assert not any(b.data and "|nt|" in b.data for row in moved.buttons for b in row)


async def test_bad_target_choice_changes_nothing(svc: Service) -> None:
    await set_profile(svc, MISSED_2027)
    for data in ("1|nt|drop|2028", "1|nt|move|next"):
        reply = await svc.button(ANNA, PRIVATE, data)
        assert reply.notice and not reply.text
    reply = await svc.button(ANNA, GROUP, callbacks.encode("nt", "move", 2028))
    assert reply.notice and not reply.text
    assert (await svc.storage.get_profile(ANNA.id)).target_match_year == 2027


async def test_progress_has_the_picture_and_groups_get_none(svc: Service) -> None:
    reply = await svc.progress(ANNA, PRIVATE)
    assert reply.image is not None and reply.image.filename.endswith(".png")
    width, height = png_size(reply.image.content)
    assert width == 1080 and height > 800
    assert reply.image.caption.startswith("Next:\n1. Check the US path is feasible for you")
    assert (await svc.progress(ANNA, GROUP)).image is None


async def test_terminal_chat_saves_the_picture_and_prints_its_path(
    svc: Service, tmp_path: Path
) -> None:
    out = io.StringIO()
    console = Console(svc, out=out, save_dir=tmp_path)
    for reply in await console.handle("/progress"):
        console.show(reply)
    saved = tmp_path / "imgbot-progress.png"
    assert f"[picture saved: {saved}]" in out.getvalue()
    assert png_size(saved.read_bytes())[0] == 1080


async def test_progress_lists_a_milestone_added_only_in_path_yaml(
    svc: Service, tmp_path: Path
) -> None:
    assert "Get ready for interviews" not in (await svc.progress(ANNA, PRIVATE)).text
    shutil.copytree(REPO / "knowledge", tmp_path / "kb")
    path = tmp_path / "kb" / "path.yaml"
    step = "  - id: interviews\n"
    path.write_text(
        path.read_text().replace(step, step + "    milestone: {label: Get ready for interviews}\n")
    )
    svc.reload(tmp_path / "kb")  # what /reload and SIGHUP do: path.yaml is read again
    lines = (await svc.progress(ANNA, PRIVATE)).text.splitlines()
    assert "➡️ Get ready for interviews" in lines
    assert lines.index("➡️ Get ready for interviews") > lines.index("⏳ Submit ERAS")
