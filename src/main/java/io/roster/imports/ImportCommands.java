package io.roster.imports;

/** Event-bus contract of bulk import. */
public final class ImportCommands {
  public static final String ADDRESS = "users.import";
  public static final String IMPORT = "import";

  private ImportCommands() {}
}
