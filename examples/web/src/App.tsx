import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { isSignedIn, keepToken } from "./api";
import { Board } from "./Board";
import { Projects } from "./Projects";
import { SignIn } from "./SignIn";

export function App() {
  const queryClient = useQueryClient();
  const [signedIn, setSignedIn] = useState(isSignedIn);
  const [projectId, setProjectId] = useState<number>();
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  function signOut(): void {
    keepToken(undefined);
    queryClient.clear();
    setProjectId(undefined);
    setSignedIn(false);
  }
  return (
    <main>
      <header>
        <h1>Taskboard</h1>
        <button onClick={signOut}>Sign out</button>
      </header>
      {projectId === undefined ? (
        <Projects onOpen={setProjectId} />
      ) : (
        <Board projectId={projectId} onBack={() => setProjectId(undefined)} />
      )}
    </main>
  );
}
