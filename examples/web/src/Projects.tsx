import { useInfiniteQuery } from "@tanstack/react-query";

import { queries } from "./api";

export function Projects({ onOpen }: { onOpen: (projectId: number) => void }) {
  const projects = useInfiniteQuery(queries.infinite("/v1/projects", { params: { query: { limit: 50 } } }));
  if (projects.isPending) return <p>Loading projects…</p>;
  if (projects.isError) return <p role="alert">{projects.error.message}</p>;
  return (
    <section>
      <h2>Projects</h2>
      <ul>
        {projects.data.pages.flatMap((page) =>
          page.items.map((project) => (
            <li key={project.id}>
              <button className="link" onClick={() => onOpen(project.id)}>
                {project.name}
              </button>
            </li>
          )),
        )}
      </ul>
      {projects.hasNextPage && <button onClick={() => void projects.fetchNextPage()}>More projects</button>}
    </section>
  );
}
