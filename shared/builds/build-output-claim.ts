/** Why a second build of one name into one folder is refused (both backends word it alike). */
export const buildOutputBusy = (name: string, dir: string, holder: string) => `a build of ${name} into ${dir} is already running (${holder}): wait for it, or cancel it first`;
