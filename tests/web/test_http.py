"""HTTP routes: the page, Plotly.js served locally, uploads."""

from __future__ import annotations

from tests.web.conftest import opened, until


def test_page_is_served_with_local_plotly(client):
    page = client.get("/")
    assert page.status_code == 200 and "/vendor/plotly.min.js" in page.text
    assert "cdn" not in page.text.lower()
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000


def test_upload_a_csv_switches_the_session_to_it(client):
    rows = "\n".join(f"{i % 7},{(i * 3) % 5},{i % 2}" for i in range(60))
    with client.websocket_connect("/ws") as ws:
        sid = opened(ws)["session"]
        r = client.post(
            f"/api/sessions/{sid}/upload",
            files={"file": ("mine.csv", f"a,b,label\n{rows}\n", "text/csv")},
        )
        assert r.status_code == 200, r.text
        data = until(ws, "dataset")
        assert data["name"] == "custom" and data["kind"] == "2d"
        assert data["n_train"] + data["n_test"] == 60
        frame = until(ws, "frame", lambda f: f["step"] == 0)
        assert frame["layers"][0]["fan_in"] == 2


def test_bad_upload_names_the_cell_and_keeps_the_data(client):
    with client.websocket_connect("/ws") as ws:
        sid = opened(ws)["session"]
        r = client.post(
            f"/api/sessions/{sid}/upload",
            files={"file": ("bad.csv", "a,b,label\n1,2,0\n3,oops,1\n4,5,0\n6,7,1\n", "text/csv")},
        )
        assert r.status_code == 400
        err = r.json()["error"]
        assert err["code"] == "bad_data" and "oops" in err["message"]
        assert "row 3" in err["field"] and "b" in err["field"]
        ws.send_json({"type": "step", "n": 1})
        frame = until(ws, "frame", lambda f: f["state"] == "paused")
        assert frame["layers"][0]["fan_in"] == 2  # still the XOR session


def test_upload_to_unknown_session_is_404(client):
    r = client.post("/api/sessions/nope/upload", files={"file": ("a.csv", "a,b\n1,0\n")})
    assert r.status_code == 404


def test_every_http_refusal_has_the_apps_error_shape(client):
    with client.websocket_connect("/ws") as ws:
        sid = opened(ws)["session"]
        missing = client.post(f"/api/sessions/{sid}/upload", data={"label_column": "y"})
        assert missing.status_code == 400
        assert missing.json()["error"]["code"] == "missing_field"
        assert missing.json()["error"]["field"] == "file"
    for r, code in (
        (client.get("/api/nothing-here"), "not_found"),
        (
            client.post("/api/sessions/nope/upload", files={"file": ("a.csv", "a,b\n1,0\n")}),
            "no_session",
        ),
    ):
        err = r.json()["error"]
        assert err["code"] == code and err["message"] and isinstance(err["params"], dict)
