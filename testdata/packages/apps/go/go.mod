module github.com/example/shop

go 1.21

toolchain go1.21.5

require (
	github.com/gin-gonic/gin v1.9.1
	github.com/lib/pq v1.10.9
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/bytedance/sonic v1.9.1 // indirect
	golang.org/x/sys v0.0.0-20231109021931-daa7c04131f5 // indirect
	github.com/pelletier/go-toml/v2 v2.0.8 // indirect
)

replace github.com/lib/pq => github.com/example/pq v1.10.10-fix.1

exclude github.com/gin-gonic/gin v1.9.0
