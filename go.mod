module github.com/chanye-org/chanye

go 1.26.8
