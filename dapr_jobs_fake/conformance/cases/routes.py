"""Routes and answers (§2, §4, §12): the Jobs paths per API version, what chi makes of odd paths,
methods daprd does not route, health checks, and what GET echoes of a stored job."""

from __future__ import annotations

from .dsl import Http, case, delete, get, post

_JOB = {"dueTime": "1h", "data": {"a": 1}}

CASES = [
    case(
        "routes/stable-post-get-delete",
        "§2",
        post("rt-stable", _JOB),
        get("rt-stable"),
        delete("rt-stable"),
        get("rt-stable"),
        delete("rt-stable"),
        about="the newest API path: 204, 200 with the stored job, 204, then 500 not found, and 204 again",
    ),
    case(
        "routes/alpha-post-get-delete",
        "§2",
        post("rt-alpha", _JOB, api="v1.0-alpha1"),
        get("rt-alpha", api="v1.0-alpha1"),
        delete("rt-alpha", api="v1.0-alpha1"),
        get("rt-alpha", api="v1.0-alpha1"),
    ),
    case(
        "routes/v1.0-path",
        "§2",
        post("rt-v10", _JOB, api="v1.0"),
        get("rt-v10", api="v1.0"),
        delete("rt-v10", api="v1.0"),
        about="/v1.0/jobs exists from 1.18 only; before, the service-invocation fallback answers 404",
    ),
    case(
        "routes/alpha-and-stable-share-jobs",
        "§2",
        post("rt-shared", _JOB, api="v1.0-alpha1"),
        get("rt-shared"),
        delete("rt-shared"),
        get("rt-shared", api="v1.0-alpha1"),
    ),
    case("routes/get-missing", "§5.2", get("rt-never-scheduled")),
    case("routes/delete-missing", "§2", delete("rt-never-scheduled-2")),
    case("routes/put", "§2", Http("PUT", "/{api}/jobs/rt-put", body=_JOB), get("rt-put")),
    case("routes/patch", "§2", Http("PATCH", "/{api}/jobs/rt-patch", body=_JOB)),
    case("routes/head", "§2", Http("HEAD", "/{api}/jobs/rt-head")),
    case("routes/lowercase-method", "§2", Http("post", "/{api}/jobs/rt-lower", body=_JOB)),
    case("routes/no-name", "§2", Http("POST", "/{api}/jobs", body=_JOB)),
    case("routes/empty-name-trailing-slash", "§2", Http("POST", "/{api}/jobs/", body=_JOB)),
    case("routes/two-segments", "§2", Http("POST", "/{api}/jobs/rt-a/rt-b", body=_JOB)),
    case(
        "routes/trailing-slash-stripped",
        "§2",
        Http("POST", "/{api}/jobs/rt-slash/", body=_JOB),
        get("rt-slash"),
        delete("rt-slash/"),
    ),
    case(
        "routes/dot-segments-cleaned",
        "§2",
        Http("POST", "/{api}/jobs/../jobs/rt-dots", body=_JOB),
        get("rt-dots"),
        delete("rt-dots"),
    ),
    case(
        "routes/double-slash-cleaned",
        "§2",
        Http("POST", "/{api}//jobs/rt-double", body=_JOB),
        get("rt-double"),
        delete("rt-double"),
    ),
    case(
        "routes/plus-is-a-space",
        "§2",
        post("rt+plus", _JOB),
        get("rt%20plus"),
        delete("rt+plus"),
        about="chi's parameters are QueryUnescape'd: `+` becomes a space",
    ),
    case(
        "routes/query-string-ignored",
        "§2",
        post("rt-query?x=1", _JOB),
        get("rt-query"),
        delete("rt-query?y=2"),
    ),
    case("routes/escaped-slash", "§2", post("rt%2Fslash", _JOB), get("rt%2Fslash")),
    case("routes/bad-escape", "§2", post("rt%zz", _JOB), get("rt%zz"), delete("rt%zz")),
    case(
        "routes/get-echoes-every-field",
        "§4",
        post(
            "rt-echo",
            {
                "schedule": "@every 1h",
                "repeats": 5,
                "dueTime": "1000s",
                "ttl": "2h",
                "data": {"k": "v", "n": [1, 2.5, True, None]},
            },
        ),
        get("rt-echo"),
        delete("rt-echo"),
        about="schedule, repeats, dueTime and ttl come back as sent, data wrapped in its Any",
    ),
    case(
        "routes/get-echoes-snake-case-as-json-names",
        "§4",
        post("rt-snake", {"schedule": "@daily", "due_time": "10s", "repeats": 3, "ttl": "11s", "data": "x"}),
        get("rt-snake"),
        delete("rt-snake"),
    ),
    case("routes/healthz", "§12", Http("GET", "/v1.0/healthz")),
    case("routes/healthz-outbound", "§12", Http("GET", "/v1.0/healthz/outbound")),
    case("routes/unknown-api", "§2", Http("GET", "/v1.0/nothing-here")),
]
