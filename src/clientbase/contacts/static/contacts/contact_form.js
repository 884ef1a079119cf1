// The contact form's roles and notifications (contacts/contact_form.html). While "Notify as the
// roles suggest" is ticked, the notification boxes show what the ticked roles suggest; ticking or
// unticking a notification yourself unticks it, so that your choice is saved (the server reads the
// form the same way). The status under the boxes warns while an approver is not notified about
// quotes. Without this file the form works the same: the server applies the roles' notifications
// and shows the warning once the contact is saved.
(function () {
  "use strict";

  var status = document.getElementById("notify-warning");
  if (!status) {
    return;
  }
  var form = status.closest("form");
  var suggested = JSON.parse(status.getAttribute("data-role-notify") || "{}");
  var fromRoles = form.querySelector("input[name=notify_from_roles]");

  function inputs(name) {
    return Array.prototype.slice.call(form.querySelectorAll("input[name=" + name + "]"));
  }

  function ticked(name) {
    return inputs(name)
      .filter(function (input) { return input.checked; })
      .map(function (input) { return input.value; });
  }

  function followRoles() {
    if (!fromRoles || !fromRoles.checked) {
      return;
    }
    var wanted = {};
    ticked("roles").forEach(function (role) {
      (suggested[role] || []).forEach(function (category) { wanted[category] = true; });
    });
    inputs("notify").forEach(function (input) {
      if (!input.disabled) {
        input.checked = wanted[input.value] === true;
      }
    });
  }

  function warn() {
    var show = ticked("roles").indexOf("approver") !== -1 && ticked("notify").indexOf("quotes") === -1;
    var shown = status.querySelector("p");
    if (show && !shown) {
      var message = document.createElement("p");
      message.className = "message message--warning";
      message.textContent = status.getAttribute("data-warning");
      status.appendChild(message);
    } else if (!show && shown) {
      status.removeChild(shown);
    }
  }

  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name === "roles" || name === "notify_from_roles") {
      followRoles();
    } else if (name === "notify" && fromRoles) {
      fromRoles.checked = false;
    } else {
      return;
    }
    warn();
  });
})();
