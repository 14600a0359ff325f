"""Categories (µTorrent labels plus a registry with save paths) and tags.

Rules (docs/reference/qbittorrent-clients.md §4.6): createCategory 400 on an empty name, 409 on an
invalid or existing one; editCategory 409 when missing; setCategory 409 "Incorrect category name"
for a category that does not exist ("" clears); removing a category uncategorizes its torrents.
"""

from __future__ import annotations

from utserver.engine import JobError
from utserver.web.qbittorrent.call import Call, QbtError, hashes_of
from utserver.web.qbittorrent.store import split_tags, valid_category
from utserver.web.qbittorrent.table import Endpoint, act, read


def category_map(call: Call, labels: list | None = None) -> dict[str, dict]:
    """Every category: the front's own and the labels torrents have (*labels*: Engine.labels())."""
    known = call.front.store.all_categories(call.engine.labels() if labels is None else labels)
    return {name: {"name": name, "savePath": path} for name, path in sorted(known.items())}


def _known(call: Call) -> dict[str, str]:
    return call.front.store.all_categories(call.engine.labels())


def create_category(call: Call) -> None:
    name = (call.need("category")[0] or "").strip()
    if not name:
        raise QbtError(400, "Category cannot be empty")
    if not valid_category(name):
        raise QbtError(409, "Incorrect category name")
    if name in _known(call):
        raise QbtError(409, "Category already exists")
    call.front.store.set_category(name, (call.get("savePath") or "").strip())


def edit_category(call: Call) -> None:
    name, save_path = call.need("category", "savePath")
    if not name.strip():
        raise QbtError(400, "Category cannot be empty")
    if name not in _known(call):
        raise QbtError(409, "Category editing failed")
    call.front.store.set_category(name, save_path.strip())


def remove_categories(call: Call) -> None:
    names = {line.strip() for line in call.need("categories")[0].splitlines() if line.strip()}
    for info_hash, view in call.engine.snapshot().items():
        if view.label in names:
            _set_label(call, info_hash, "")
    call.front.store.remove_categories(sorted(names))


def set_category(call: Call) -> None:
    name = call.need("category")[0].strip()
    if name and name not in _known(call):
        raise QbtError(409, "Incorrect category name")
    for info_hash in hashes_of(call):
        _set_label(call, info_hash, name)


def _set_label(call: Call, info_hash: str, label: str) -> None:
    try:
        call.engine.set_prop(info_hash, "label", label)
    except JobError:
        pass  # removed meanwhile


def all_tags(call: Call, view_tags: list[str] | None = None) -> list[str]:
    """The front's tags, then those only torrents have (*view_tags*: every torrent's, in order)."""
    if view_tags is None:
        view_tags = list(dict.fromkeys(tag for view in call.engine.snapshot().values() for tag in view.tags))
    tags = list(call.front.store.tags)
    known = set(tags)
    return tags + [tag for tag in view_tags if tag not in known]


def _change_tags(call: Call, change) -> None:
    snapshot = call.engine.snapshot()
    for info_hash in hashes_of(call):
        try:
            call.engine.set_tags(info_hash, tuple(change(snapshot[info_hash].tags)))
        except JobError:
            continue


def add_tags(call: Call) -> None:
    tags = split_tags(call.need("tags")[0])
    call.front.store.add_tags(tags)
    _change_tags(call, lambda old: [*old, *(tag for tag in tags if tag not in old)])


def remove_tags(call: Call) -> None:
    tags = split_tags(call.get("tags"))
    _change_tags(call, lambda old: [tag for tag in old if tags and tag not in tags])


def set_tags(call: Call) -> None:
    tags = split_tags(call.need("tags")[0])
    call.front.store.add_tags(tags)
    _change_tags(call, lambda old: tags)


def create_tags(call: Call) -> None:
    call.front.store.add_tags(split_tags(call.need("tags")[0]))


def delete_tags(call: Call) -> None:
    tags = split_tags(call.need("tags")[0])
    call.front.store.remove_tags(tags)
    for info_hash, view in call.engine.snapshot().items():
        if set(view.tags) & set(tags):
            try:
                call.engine.set_tags(info_hash, tuple(tag for tag in view.tags if tag not in tags))
            except JobError:
                continue


ENDPOINTS: tuple[Endpoint, ...] = (
    read("torrents", "categories", category_map),
    act("torrents", "createCategory", create_category),
    act("torrents", "editCategory", edit_category),
    act("torrents", "removeCategories", remove_categories),
    act("torrents", "setCategory", set_category),
    read("torrents", "tags", all_tags),
    act("torrents", "createTags", create_tags),
    act("torrents", "deleteTags", delete_tags),
    act("torrents", "addTags", add_tags),
    act("torrents", "removeTags", remove_tags),
    act("torrents", "setTags", set_tags),
)
