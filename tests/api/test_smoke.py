def test_every_role_reads_the_entry_point(api_as):
    for role in ("anonymous", "member", "editor", "admin", "reader"):
        assert api_as(role).get("/").status_code == 200
