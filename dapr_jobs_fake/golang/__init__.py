"""Go and Dapr-library semantics the fake must reproduce byte for byte: the bottom layer.

Go's `time` formats (`duration`, `rfc3339`), protojson's Duration (`protoduration`), dapr/kit's ISO 8601
durations (`iso8601`) and cron fork (`cron`, `cron_next`), go-etcd-cron's point-in-time parse
(`pointintime`), net/http + chi path rules (`url`), Go's string quoting (`strconv`) and the calendar and
nanosecond time model everything else uses (`calendar`). Pure functions: standard library only, no I/O,
no clock, no imports from the rest of the package.
"""
