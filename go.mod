module github.com/vmemu/vmemu

go 1.26

require (
	github.com/google/go-cmp v0.7.0
	github.com/klauspost/compress v1.20.4
	github.com/ulikunitz/xz v0.5.17
)
