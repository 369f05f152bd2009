"""Where a client's records live: resolving ``ccua ingest CLIENT`` to folders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ccua.engagement import Params, load_params, records_folder
from ccua.errors import CcuaError

MAPPINGS_DIR = "mappings"


@dataclass(frozen=True)
class ClientFolders:
    params_file: Path
    params: Params
    engagement: Path  # params/<client>/
    records: Path  # params/<client>/records/ unless the params file says otherwise

    @property
    def mappings(self) -> Path:
        """The client's own mapping files (used when ``--mapping`` is not given)."""
        return self.engagement / MAPPINGS_DIR


def resolve_client(client: str | Path, params_dir: Path | None = None) -> ClientFolders:
    """A params file path, or a client name meaning ``params/<name>.yaml``."""
    given = Path(client)
    if given.suffix.lower() in (".yaml", ".yml") or given.is_file():
        path = given
    else:
        path = (params_dir or Path("params")) / f"{client}.yaml"
        if not path.exists():
            raise CcuaError(
                f"no params file for client {client!r} (looked for {path}); give "
                "the params file's path"
            )
    params = load_params(path)
    engagement = (path.resolve().parent / params.engagement).resolve()
    records = records_folder(params, path.resolve(), engagement)
    return ClientFolders(path, params, engagement, records)
