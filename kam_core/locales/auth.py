"""Strings of the sign-in gate."""

STRINGS = {
    "auth.title": ("请登录", "Please sign in"),
    "auth.password": ("团队密码", "Team password"),
    "auth.sign_in": ("登录", "Sign in"),
    "auth.wrong": ("密码不正确。", "That password is not correct."),
    "auth.sso": ("使用公司账号登录", "Sign in with your company account"),
    "auth.signed_in_as": ("已登录：{who}", "Signed in: {who}"),
    "auth.sign_out": ("退出登录", "Sign out"),
}
