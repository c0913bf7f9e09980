package main

import (
	"context"
	"flag"
	"io"
	"log/slog"

	"github.com/parleyhq/parley/models"
)

// cliRuntime parses a command's flags over the configuration and opens the
// runtime quietly: a command prints its own output.
func cliRuntime(ctx context.Context, name string, args []string, getenv func(string) string, flags func(*flag.FlagSet, *config)) (*runtime, config, error) {
	cfg, err := parseConfig(name, args, getenv, flags)
	if err != nil {
		return nil, cfg, err
	}
	rt, err := newRuntime(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return rt, cfg, err
}

// cliActor is the system as the command line.
func cliActor() models.Actor {
	a := models.System
	a.Name = "cli"
	return a
}
