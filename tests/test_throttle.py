"""Sign-in and registration are rate limited per client, without revealing accounts."""

from conftest import PASSWORD

from wiki.extensions import db
from wiki.models import RateEvent


def login(client, username, password, ip="198.51.100.7"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_failed_sign_ins_are_limited_per_username_and_ip(client, users):
    for _ in range(5):
        assert login(client, "member", "wrong password").status_code == 401
    blocked = login(client, "member", PASSWORD)  # even the right password waits now
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in blocked.get_data(as_text=True)
    # Another network, or another account from this one, is not blocked.
    assert login(client, "member", PASSWORD, ip="203.0.113.5").status_code == 302
    assert login(client, "editor", PASSWORD).status_code == 302


def test_unknown_usernames_are_limited_the_same_way(client, users):
    responses = [login(client, "nobody", "x" * 9).status_code for _ in range(6)]
    assert responses == [401] * 5 + [429]


def test_many_usernames_from_one_ip_hit_the_ip_limit(app_factory):
    client = app_factory(LOGIN_IP_RATE_LIMIT=(4, 900)).test_client()
    codes = [login(client, f"user{i}", "x" * 9).status_code for i in range(5)]
    assert codes == [401] * 4 + [429]


def test_a_successful_sign_in_clears_the_failures(client, users):
    for _ in range(4):
        login(client, "member", "wrong password")
    assert login(client, "member", PASSWORD).status_code == 302
    for _ in range(4):
        assert login(client, "member", "wrong password").status_code == 401


def test_registration_is_throttled_per_ip(app_factory):
    client = app_factory(REGISTER_RATE_LIMIT=(3, 3600)).test_client()
    codes = []
    for i in range(4):
        response = client.post("/register", data={"username": f"new{i}", "password": "long enough",
                                                  "confirm": "long enough"},
                               environ_base={"REMOTE_ADDR": "192.0.2.1"})
        codes.append(response.status_code)
        client.post("/logout")
    assert codes == [302, 302, 302, 429]


def test_nothing_identifying_is_stored(client, users):
    login(client, "member", "wrong password", ip="198.51.100.99")
    keys = db.session.scalars(db.select(RateEvent.key)).all()
    assert keys and all("198.51" not in k and "member" not in k for k in keys)


def test_parallel_attempts_cannot_slip_past_the_limit(app, users, monkeypatch):
    import threading

    from wiki import accounts

    checked = []
    real = accounts.authenticate
    monkeypatch.setattr(accounts, "authenticate", lambda *a: checked.append(1) or real(*a))
    codes = []

    def attempt():
        client = app.test_client()
        codes.append(login(client, "admin", "wrong password").status_code)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checked) <= 5  # passwords actually tried: never more than the limit
    assert codes.count(401) <= 5 and codes.count(429) >= 15


# -- one limiter for the core and the plugins ------------------------------------------------


def test_take_slot_counts_only_what_is_committed(app):
    from wiki.throttle import RateLimited, take_slot

    source = "0123abcd"
    take_slot("test", (2, 60), source)
    db.session.rollback()  # the action was not saved: its slot goes with it
    take_slot("test", (2, 60), source)
    db.session.commit()
    take_slot("test", (2, 60), source)
    db.session.commit()
    try:
        take_slot("test", (2, 60), source)
    except RateLimited as limited:
        assert 0 < limited.wait <= 60 and (limited.count, limited.seconds) == (2, 60)
    else:
        raise AssertionError("a third action in the window was let through")
    assert take_slot("test", (2, 60), "another source") is None  # counted per key
    assert db.session.scalar(db.select(db.func.count(RateEvent.id)).where(RateEvent.bucket == "test")) == 3
