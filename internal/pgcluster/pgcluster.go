// Package pgcluster makes local PostgreSQL clusters on loopback with
// Debian's pg_createcluster, standing in for the worker nodes of a Citus
// cluster in tests and benchmarks (issue 16): each cluster is a server of
// its own, with its own processes, WAL and buffers. It needs root (or the
// postgres user) and the postgresql-common tools; Available says whether
// they are here.
package pgcluster

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Cluster is one local PostgreSQL cluster.
type Cluster struct {
	Version string
	Name    string
	Port    int
}

// Available reports whether clusters can be made here: pg_createcluster
// on the PATH and a PostgreSQL server installed.
func Available() error {
	if _, err := exec.LookPath("pg_createcluster"); err != nil {
		return fmt.Errorf("pg_createcluster not found (Debian's postgresql-common): %w", err)
	}
	if _, err := version(); err != nil {
		return err
	}
	return nil
}

// version returns the highest PostgreSQL major version installed.
func version() (string, error) {
	dirs, err := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if err != nil || len(dirs) == 0 {
		return "", fmt.Errorf("no PostgreSQL server under /usr/lib/postgresql")
	}
	var vs []string
	for _, d := range dirs {
		vs = append(vs, filepath.Base(filepath.Dir(filepath.Dir(d))))
	}
	sort.Slice(vs, func(i, j int) bool { return len(vs[i]) < len(vs[j]) || len(vs[i]) == len(vs[j]) && vs[i] < vs[j] })
	return vs[len(vs)-1], nil
}

// FreePort returns a TCP port free on loopback now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Create makes and starts cluster name on a free port, trusting local
// connections (a test cluster on loopback only), with settings (GUCs)
// added to its postgresql.conf. A cluster of that name left by an earlier
// run is dropped first.
func Create(ctx context.Context, name string, settings ...string) (*Cluster, error) {
	v, err := version()
	if err != nil {
		return nil, err
	}
	exec.CommandContext(ctx, "pg_dropcluster", "--stop", v, name).Run() // left by a killed run, if any
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	args := []string{v, name, "-p", fmt.Sprint(port), "--start"}
	for _, s := range settings {
		args = append(args, "-o", s)
	}
	args = append(args, "--", "--auth=trust")
	if out, err := exec.CommandContext(ctx, "pg_createcluster", args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pg_createcluster %s: %w\n%s", name, err, out)
	}
	c := &Cluster{Version: v, Name: name, Port: port}
	for range 100 { // until it takes connections
		if exec.CommandContext(ctx, "pg_isready", "-q", "-h", "127.0.0.1", "-p", fmt.Sprint(port)).Run() == nil {
			return c, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.Drop()
	return nil, fmt.Errorf("cluster %s on port %d does not take connections", name, port)
}

// URL is the address of database db on the cluster.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// CreateDatabase creates database db on the cluster.
func (c *Cluster) CreateDatabase(ctx context.Context, db string) error {
	return Psql(ctx, c.URL("postgres"), "CREATE DATABASE "+db)
}

// Drop stops and removes the cluster with its data.
func (c *Cluster) Drop() error {
	out, err := exec.Command("pg_dropcluster", "--stop", c.Version, c.Name).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_dropcluster %s: %w\n%s", c.Name, err, out)
	}
	return nil
}

// Psql runs one SQL command on url with psql.
func Psql(ctx context.Context, url, command string) error {
	cmd := exec.CommandContext(ctx, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", command)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("psql %q: %w\n%s", command, err, strings.TrimSpace(string(out)))
	}
	return nil
}
