"""File storage that never exposes a half-written file and lets a retried task overwrite."""

import os
import tempfile
from typing import Any

from django.core.files.storage import FileSystemStorage


class AtomicFileSystemStorage(FileSystemStorage):
    """Writes to a temporary file in the target folder, then renames it into place.

    Names are deterministic per track, so a redelivered task replaces its own earlier output
    instead of leaving `name_XyZ12.opus` copies behind (allow_overwrite).
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_overwrite", True)
        super().__init__(**kwargs)

    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        fd, tmp_path = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as out:
                if hasattr(content, "seek"):
                    content.seek(0)
                for chunk in content.chunks():
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(tmp_path, self.file_permissions_mode)
            else:
                os.chmod(tmp_path, 0o644)
            os.replace(tmp_path, full_path)
        except BaseException:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)
            raise
        return str(name).replace("\\", "/")
