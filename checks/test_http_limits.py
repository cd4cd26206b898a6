"""Limits of the HTTP boundary through the real binary (`wangge serve` over the sample city):
a request head over NIO's 80 KiB limit (a ~100 KB query string) is answered with a JSON 414
from the error table, not an empty 400, and the server keeps serving."""
import http.client
import json
import urllib.parse


def test_an_overlong_query_string_is_a_json_414(server):
    u = urllib.parse.urlparse(server)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("GET", "/nearest?lon=114.4&lat=23.1&pad=" + "x" * 100_000)
    r = c.getresponse()
    body = r.read()
    c.close()
    assert r.status == 414, body
    assert r.getheader("Content-Type").startswith("application/json")
    o = json.loads(body)
    assert o["status"] == 414 and o["code"] == "URITooLong" and o["field"] == "uri"
    assert "80 KiB" in o["description"] and "POST" in o["description"]
    # A long but acceptable query (60 KB) is still read and answered as usual: here, a 400 naming it.
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("GET", "/nearest?lon=114.4&lat=23.1&pad=" + "x" * 60_000)
    r = c.getresponse()
    o = json.loads(r.read())
    c.close()
    assert r.status == 400 and o["field"] == "pad"
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("GET", "/health")
    assert c.getresponse().status == 200
