// Command likelab trains, samples and evaluates likelab's generative models
// natively, over the same core the browser app runs.
//
//	likelab train flow|fm|vae --data … --out DIR [flags]  # a model directory
//	likelab sample  --model DIR --n N [--seed K]     # "x,y" CSV rows on stdout
//	likelab logprob --model DIR < points.csv         # one natural-log density per row
//	likelab eval    --model DIR [--iw K]             # a VAE's test ELBO and IWAE NLL, or a flow's log Z
//	likelab render  --model DIR --out FILE.png       # any family, as the page draws it
//	likelab morph   --model DIR --from A --to B --out FILE.gif|.png
//	likelab bench                                    # issue 7's speed figures as JSON
//
// Every command has --help. Bad flags or input: a one-line message on stderr
// and exit status 2. Other failures: exit status 1.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// usageError is bad input from the user: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

type command struct {
	name, summary string
	run           func(args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

var commands = []command{
	{"train", "train a model (train flow …)", runTrain},
	{"sample", "draw samples from a trained 2D model as x,y CSV", runSample},
	{"logprob", "print log p(x) of a trained model for each x,y row on stdin", runLogProb},
	{"eval", "evaluate a trained VAE on held-out images (test ELBO, IWAE NLL) as JSON", runEval},
	{"bench", "measure training and matmul speed on this machine, as JSON", runBench},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			err := c.run(args[1:], stdin, stdout, stderr)
			return report(stderr, c.name, err)
		}
	}
	fmt.Fprintf(stderr, "likelab: unknown command %q (want one of %s; see likelab --help)\n", args[0], commandNames())
	return 2
}

func report(stderr io.Writer, name string, err error) int {
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "likelab %s: %s\n", name, oneLine(ue.msg))
		return 2
	default:
		fmt.Fprintf(stderr, "likelab %s: %s\n", name, oneLine(err.Error()))
		return 1
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func commandNames() string {
	var n []string
	for _, c := range commands {
		n = append(n, c.name)
	}
	return strings.Join(n, ", ")
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "likelab — train and draw likelihood-based generative models.\n\nUsage: likelab COMMAND [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'likelab COMMAND --help' for a command's flags.")
}
