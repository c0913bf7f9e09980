// Command parley is the one Parley binary: the web server with its
// in-process worker, the worker alone, migrations and staff management.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// gcPercent is the collector's target when GOGC is not set: a heap may
// grow to five times what is live before a collection. At Go's default
// (100) the collector took about a quarter of a list page's CPU; Parley's
// live heap is small (tens of MB), so the larger heap is the better trade
// on a CPU-bound node. GOGC (and GOMEMLIMIT) in the environment override it.
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}

const usage = `Usage: parley <command> [flags]

Commands:
  serve [--demo] [--no-worker]   run the back office, the API and (unless --no-worker) the job worker
  worker                         run only the job worker (scale it separately)
  migrate                        apply pending database migrations
  user create --username U --role R [--email E]   add a staff user (password from stdin)
  user set-password --username U                 change a password (from stdin)
  user deactivate --username U                   disable a user, revoking tokens and sessions
  user list                                      list staff users
  apikey create --name N         make an integration key for the shop's systems (printed once, last line)
  apikey revoke <name or id>     revoke an integration key at once
  apikey list                    list integration keys (never the keys)
  job run retention|auto_close|distribute|cleanup [--dry-run]   run a periodic job now and print a summary
  version                        print the version

Run "parley serve --help" for the configuration (PARLEY_* variables and flags).
`

// run is the whole program, with its environment passed in.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, log)
	case "worker":
		return worker(ctx, rest, getenv, log)
	case "migrate":
		return migrate(ctx, rest, getenv, stdout)
	case "user":
		return user(ctx, rest, getenv, stdin, stdout)
	case "apikey":
		return apikey(ctx, rest, getenv, stdout)
	case "job":
		return job(ctx, rest, getenv, stdout)
	case "version":
		fmt.Fprintln(stdout, "parley", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseConfig("migrate", args, getenv, nil)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "migrations applied (%s)\n", st.Config.Dialect)
	return nil
}
