module spillway.dev/testbed/pause

go 1.24.0
