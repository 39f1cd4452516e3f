"""The drill contract's calls through its Python SDK (test_drill.py): `python client.py <url>`.
Type-checked with the SDK under `mypy --strict`; prints each call's status."""

import io
import sys

from taskboard_client import Client
from taskboard_client.api.import_ import bulk_from, download_from, import_from, upload_from
from taskboard_client.models import DrillMove, DrillMoveToStatus, DrillUpload
from taskboard_client.types import File

client = Client(base_url=sys.argv[1])
form = DrillUpload(
    file=File(payload=io.BytesIO(b"hello"), file_name="n.txt", mime_type="text/plain"), caption="hi", count=3
)
uploaded = upload_from.sync_detailed(client=client, body=form, from_=2)
read = import_from.sync_detailed(3, client=client, ids=[4, 5], body="b", request="r")
moved = bulk_from.sync_detailed(client=client, body=DrillMove(op="move", to_status=DrillMoveToStatus.DONE))
downloaded = download_from.sync_detailed(client=client)
whole = isinstance(downloaded.parsed, File) and downloaded.parsed.payload.read() == bytes(range(256))
named = downloaded.headers["Content-Disposition"]
statuses = (uploaded.status_code, read.status_code, moved.status_code, downloaded.status_code)
print(*statuses, whole, named, uploaded.content, read.content, moved.content)
