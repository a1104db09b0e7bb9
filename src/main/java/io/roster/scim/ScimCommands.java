package io.roster.scim;

/** Event-bus contract of SCIM provisioning: the tokens an ADMIN manages, and the /scim/v2 Users and Groups resources. */
public final class ScimCommands {
  public static final String ADDRESS = "scim.commands";
  public static final String CREATE_TOKEN = "createToken";
  public static final String LIST_TOKENS = "listTokens";
  public static final String REVOKE_TOKEN = "revokeToken";
  public static final String LIST_USERS = "listUsers";
  public static final String GET_USER = "getUser";
  public static final String CREATE_USER = "createUser";
  public static final String REPLACE_USER = "replaceUser";
  public static final String PATCH_USER = "patchUser";
  public static final String DELETE_USER = "deleteUser";
  public static final String LIST_GROUPS = "listGroups";
  public static final String GET_GROUP = "getGroup";
  public static final String CREATE_GROUP = "createGroup";
  public static final String REPLACE_GROUP = "replaceGroup";
  public static final String PATCH_GROUP = "patchGroup";
  public static final String DELETE_GROUP = "deleteGroup";

  private ScimCommands() {}
}
