/** The web console's port when none is asked for; apart from the server so the CLI's argument parsing does not load it (nor ws). */
export const defaultPort = 8731;
