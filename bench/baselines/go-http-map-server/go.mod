module kvs.bench/go-http-map-server

go 1.19
