"""protobuf-go's JSON syntax errors and key positions, as recorded from real daprd (conformance cases
bodies/whitespace-only, truncated-json, trailing-garbage, byte-order-mark, duplicate-key,
both-key-spellings, failure-policy-both-kinds; the same texts on 1.14.4 to 1.18.3)."""

from __future__ import annotations

import pytest

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.golang.protojson_lexer import name_tokens, position, syntax_error


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("  \n", "syntax error (line 2:1): unexpected token "),
        ('{"dueTime":"1h"', "unexpected EOF"),
        ("{", "unexpected EOF"),
        ('{"dueTime":"1h"} x', "syntax error (line 1:18): invalid value x"),
        ('\ufeff{"dueTime":"1h"}', "syntax error (line 1:1): invalid value \ufeff"),
        ("[{}]", "syntax error (line 1:1): unexpected token ["),
        ('{"a":1,}', "syntax error (line 1:8): unexpected token }"),
        ('{"a" 1}', 'syntax error (line 1:6): unexpected character 1, missing ":" after field name'),
        ('{"a":"\n"}', "syntax error (line 1:7): invalid character '\\n' in string"),
        ('{"a":01}', "syntax error (line 1:6): invalid value 01"),
        ('{"a":[1,]}', "syntax error (line 1:9): unexpected token ]"),
        ('{"a":{"b":[true, null, "x", -1.5e3, {}]}}', None),
    ],
)
def test_syntax_errors_read_as_protobuf_go_words_them(body: str, words: str | None) -> None:
    assert syntax_error(body) == words


def test_name_tokens_know_their_object() -> None:
    text = '{"a":1,\n "b":{"c":[{"d":2}]}}'
    found = [(t.path, t.key, position(text, t.offset)) for t in name_tokens(text)]
    assert found == [
        ((), "a", (1, 2)),
        ((), "b", (2, 2)),
        (("b",), "c", (2, 7)),
        (("b", "c", 0), "d", (2, 13)),
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"dueTime":"1h","dueTime":"2h"}', 'proto: (line 1:17): duplicate field "dueTime"'),
        ('{"dueTime":"1h","due_time":"2h"}', 'proto: (line 1:17): duplicate field "due_time"'),
        (
            '{"dueTime":"1h","failurePolicy":{"drop":{},"constant":{"interval":"1s"}}}',
            'proto: (line 1:44): error parsing "constant", oneof '
            "dapr.proto.common.v1.JobFailurePolicy.policy is already set",
        ),
        ('{"dueTime":"1h"} x', "proto: syntax error (line 1:18): invalid value x"),
    ],
)
def test_the_fake_answers_with_those_words(raw: str, message: str) -> None:
    import http.client
    import json

    with DaprJobsFake(grpc=False) as fake:
        connection = http.client.HTTPConnection("127.0.0.1", fake.http_port, timeout=10)
        connection.request("POST", "/v1.0/jobs/lexer", body=raw.encode())
        answer = connection.getresponse()
        body = json.loads(answer.read())
        connection.close()
    assert answer.status == 400
    assert body["message"] == f"failed deserializing HTTP body: {message}"
