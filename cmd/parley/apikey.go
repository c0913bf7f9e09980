package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// apikey manages the integration keys of the shop's systems:
//
//	parley apikey create --name shop   prints the key once, as the last line
//	parley apikey revoke <name or id>
//	parley apikey list
func apikey(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("apikey: want create, revoke or list")
	}
	sub, args := args[0], args[1:]
	var name string
	var target string
	if sub == "revoke" && len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		target, args = args[0], args[1:]
	}
	rt, _, err := cliRuntime(ctx, "apikey "+sub, args, getenv, func(fs *flag.FlagSet, _ *config) {
		if sub == "create" {
			fs.StringVar(&name, "name", "", "a name for the key, e.g. shop")
		}
	})
	if err != nil {
		return err
	}
	defer rt.close()
	sys := cliActor()
	switch sub {
	case "create":
		if name == "" {
			return errors.New("--name is required, e.g. parley apikey create --name shop")
		}
		key, k, err := rt.acc.CreateAPIKey(ctx, sys, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created integration key %s (id %d); it is shown only now: keep it in the shop's secrets\n", k.Name, k.ID)
		fmt.Fprintln(stdout, "use it as: Authorization: Bearer <key> on /api/v1/integration/…")
		fmt.Fprintln(stdout, key)
	case "revoke":
		if target == "" {
			return errors.New("apikey revoke: name the key (its name or id)")
		}
		if err := rt.acc.RevokeAPIKey(ctx, sys, target); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "integration key %s revoked\n", target)
	case "list":
		keys, err := rt.acc.ListAPIKeys(ctx, sys)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tCREATED\tLAST USED\tREVOKED")
		for _, k := range keys {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.CreatedAt.Format(time.RFC3339), when(k.LastUsedAt), when(k.RevokedAt))
		}
		return tw.Flush()
	default:
		return fmt.Errorf("apikey: unknown subcommand %q (want create, revoke or list)", sub)
	}
	return nil
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
