import { createInterface } from 'node:readline';

/** Ask a question on the terminal; `hidden` does not echo what is typed (passphrases). */
export function ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    if (options.hidden) {
      // Echo the prompt but none of the keystrokes.
      const write = (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput;
      (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = (text: string) => {
        if (text.includes(question)) write.call(rl, text);
      };
    }
    rl.question(question, (answer) => {
      rl.close();
      if (options.hidden) process.stderr.write('\n');
      resolve(answer);
    });
  });
}

export const interactive = (): boolean => Boolean(process.stdin.isTTY && process.stderr.isTTY);
