"""Uses the Python client openapi-python-client generated from /openapi.json,
unchanged, as an integration team would: screen a counterparty, then a
trade transaction, then a SWIFT MT700. Exits non-zero when the client or the
answers are wrong.

    python use_client.py URL KEY MESSAGE_FILE
"""

import io
import sys

from cartelscreen_client import AuthenticatedClient
from cartelscreen_client.api.screening import screen, screen_message, screen_transaction
from cartelscreen_client.models import (
    PartyRequest,
    PartyRole,
    ScreenResponse,
    SingleScreenRequest,
    TransactionRequest,
    TransactionRequestTexts,
    TradeResponse,
)
from cartelscreen_client.types import File


def main(url: str, key: str) -> None:
    client = AuthenticatedClient(base_url=url, token=key, raise_on_unexpected_status=True)

    counterparty = SingleScreenRequest(name="Cartel de Jalisco Nueva Generacion", country="MX", reference="supplier-42")
    r = screen.sync_detailed(client=client, body=counterparty)
    assert r.status_code == 200, (r.status_code, r.content)
    assert isinstance(r.parsed, ScreenResponse), r.parsed
    assert r.parsed.decision.value == "block", r.parsed.decision
    assert r.parsed.reference == "supplier-42"
    assert any(m.entity_id == "cs-cjng" for m in r.parsed.matches), [m.entity_id for m in r.parsed.matches]
    print(f"screened a counterparty: {r.parsed.decision.value}, top match {r.parsed.matches[0].entity_id}")

    texts = TransactionRequestTexts()
    texts["goods_description"] = "200 drums of acetone"
    transaction = TransactionRequest(
        reference="LC-2025-0042",
        type_="letter_of_credit",
        parties=[
            PartyRequest(role=PartyRole.APPLICANT, name="Grupo Impergoza", country="MX"),
            PartyRequest(role=PartyRole.BENEFICIARY, name="Carteles Unidos"),
        ],
        texts=texts,
    )
    r = screen_transaction.sync_detailed(client=client, body=transaction)
    assert r.status_code == 200, (r.status_code, r.content)
    assert isinstance(r.parsed, TradeResponse), r.parsed
    assert r.parsed.decision.value == "block", r.parsed.decision
    assert [p.role for p in r.parsed.parties] == [PartyRole.APPLICANT, PartyRole.BENEFICIARY]
    assert any(reason.entity_id == "cs-cu" for reason in r.parsed.reasons), r.parsed.reasons
    print(f"screened a transaction: {r.parsed.decision.value}, {len(r.parsed.reasons)} reason(s)")

    # A message as the bank's system exported it: the generated client sends
    # it as a file (application/octet-stream).
    with open(sys.argv[3], "rb") as f:
        message = File(payload=io.BytesIO(f.read()), file_name="mt700.fin", mime_type="application/octet-stream")
    r = screen_message.sync_detailed(client=client, body=message)
    assert r.status_code == 200, (r.status_code, r.content)
    assert isinstance(r.parsed, TradeResponse), r.parsed
    assert r.parsed.decision.value == "block", r.parsed.decision
    roles = {p.role.value for p in r.parsed.parties}
    assert {"applicant", "beneficiary"} <= roles, roles
    print(f"screened a message: {r.parsed.decision.value}, {len(r.parsed.parties)} parties, {len(r.parsed.reasons)} reason(s)")

    # A refusal is typed too: the error body of the one code table.
    r = screen.sync_detailed(client=client, body=SingleScreenRequest(name="x" * 1001))
    assert r.status_code == 422, (r.status_code, r.content)
    print("a refused request carries its code:", r.parsed.error.code.value if r.parsed else r.content[:80])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
