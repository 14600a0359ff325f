"""State only this front has: the category registry (name -> save path), the tag registry, the
API key and the alternative speed limits. One JSON file in the settings path, written atomically
(utserver.storage), so empty categories and their save paths survive a restart.

Categories are µTorrent labels (docs/reference/qbittorrent-clients.md §5): a label on a torrent
is a category even when it is not registered, so labels set through /gui/ show up here too.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
from pathlib import Path

from utserver import storage

FILE_NAME = "qbittorrent.json"
_KEY_ALPHABET = string.ascii_letters + string.digits


class FrontStore:
    def __init__(self, settings_path: Path):
        self._path = Path(settings_path) / FILE_NAME
        self._lock = threading.Lock()
        loaded = storage.read_with_fallback(self._path, json.loads) or {}
        self.categories: dict[str, str] = dict(loaded.get("categories", {}))
        self.tags: list[str] = list(loaded.get("tags", []))
        self.api_key: str = str(loaded.get("api_key", ""))
        self.alt_limits: dict[str, int] = {"dl": 10240, "up": 10240, "on": 0, "dl_normal": -1, "up_normal": -1,
                                           **loaded.get("alt_limits", {})}

    def save(self) -> None:
        data = {"categories": self.categories, "tags": self.tags, "api_key": self.api_key,
                "alt_limits": self.alt_limits}
        with self._lock:
            storage.write_atomic(self._path, json.dumps(data, indent=1, sort_keys=True).encode())

    # --- categories ---
    def all_categories(self, labels: list[tuple[str, int]]) -> dict[str, str]:
        """Registered categories and every label in use, name -> save path ("" = default)."""
        return {**{label: "" for label, _ in labels if label}, **self.categories}

    def set_category(self, name: str, save_path: str) -> None:
        self.categories[name] = save_path
        self.save()

    def remove_categories(self, names: list[str]) -> None:
        for name in names:
            self.categories.pop(name, None)
        self.save()

    # --- tags ---
    def add_tags(self, tags: list[str]) -> None:
        new = [tag for tag in tags if tag not in self.tags]
        if new:
            self.tags.extend(new)
            self.save()

    def remove_tags(self, tags: list[str]) -> None:
        self.tags = [tag for tag in self.tags if tag not in tags]
        self.save()

    # --- the API key (qBittorrent 5.2: "qbt_" + 28 letters and digits) ---
    def rotate_api_key(self) -> str:
        self.api_key = "qbt_" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(28))
        self.save()
        return self.api_key

    def delete_api_key(self) -> None:
        self.api_key = ""
        self.save()

    def key_matches(self, offered: str) -> bool:
        return bool(self.api_key) and secrets.compare_digest(offered.encode(), self.api_key.encode())


def valid_category(name: str) -> bool:
    """qBittorrent's rule: no empty path parts, no leading or trailing slash or backslash."""
    return bool(name) and "\\" not in name and all(part.strip() for part in name.split("/"))


def split_tags(text: str | None) -> list[str]:
    return [tag.strip() for tag in (text or "").split(",") if tag.strip()]
