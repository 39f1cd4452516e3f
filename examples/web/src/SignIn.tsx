import { ProblemError } from "@taskboard/sdk";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";

import { keepToken, queries } from "./api";

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useMutation(queries.mutation("post", "/v1/tokens"));
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const { accessToken } = await signIn.mutateAsync({ body: { email, password } });
    keepToken(accessToken);
    onSignedIn();
  }
  const { error } = signIn;
  return (
    <main>
      <h1>Taskboard</h1>
      <form onSubmit={(event) => void submit(event).catch(() => undefined)}>
        <label>
          Email <input type="email" value={email} onChange={(event) => setEmail(event.target.value)} required />
        </label>
        <label>
          Password{" "}
          <input type="password" value={password} onChange={(event) => setPassword(event.target.value)} required />
        </label>
        <button type="submit" disabled={signIn.isPending}>
          Sign in
        </button>
        {error && <p role="alert">{error instanceof ProblemError ? error.problem.detail : "Taskboard cannot be reached."}</p>}
      </form>
    </main>
  );
}
