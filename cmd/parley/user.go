package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/parleyhq/parley/inbox"
)

func user(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("user: want create, set-password, deactivate or list")
	}
	sub, args := args[0], args[1:]
	var username, role, email string
	rt, _, err := cliRuntime(ctx, "user "+sub, args, getenv, func(fs *flag.FlagSet, _ *config) {
		fs.StringVar(&username, "username", "", "staff username")
		fs.StringVar(&role, "role", "", "owner, admin, chat_admin or agent")
		fs.StringVar(&email, "email", "", "staff e-mail (for notifications)")
	})
	if err != nil {
		return err
	}
	defer rt.close()
	sys := cliActor()
	needUser := func() error {
		if strings.TrimSpace(username) == "" {
			return errors.New("--username is required")
		}
		return nil
	}
	switch sub {
	case "create":
		if err := needUser(); err != nil {
			return err
		}
		hash, err := readPassword(stdin)
		if err != nil {
			return err
		}
		st, err := rt.acc.CreateStaff(ctx, sys, username, role, email, hash)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created staff user %s (id %d, role %s)\n", st.Username, st.ID, st.Role)
	case "set-password":
		if err := needUser(); err != nil {
			return err
		}
		hash, err := readPassword(stdin)
		if err != nil {
			return err
		}
		if err := rt.acc.SetStaffPassword(ctx, sys, username, hash); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password of %s changed\n", username)
	case "deactivate":
		if err := needUser(); err != nil {
			return err
		}
		if err := rt.acc.DeactivateStaff(ctx, sys, username); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s deactivated; their tokens and sessions are revoked\n", username)
	case "list":
		staff, err := rt.acc.ListStaff(ctx, sys)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tROLE\tACTIVE\tE-MAIL")
		for _, s := range staff {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%v\t%s\n", s.ID, s.Username, s.Role, s.Active, s.Email)
		}
		return tw.Flush()
	default:
		return fmt.Errorf("user: unknown subcommand %q (want create, set-password, deactivate or list)", sub)
	}
	return nil
}

// readPassword reads the new password from the first line of stdin.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("give the password on stdin, e.g. `printf '%s\\n' \"$PW\" | parley user create …`")
	}
	return inbox.HashPassword(pw)
}
