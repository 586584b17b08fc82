def test_admin(client, superuser, cso):
    client.force_login(superuser)
    for url in [f"/admin/organisations/organisation/{cso.pk}/change/", "/admin/organisations/organisation/add/", "/admin/organisations/service/add/", "/admin/organisations/partnership/add/", "/admin/organisations/membership/add/"]:
        r = client.get(url)
        assert r.status_code == 200, url
